import { randomUUID } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { type RunEvent, storedRunEventSchema } from '../types/run-events.js';
import { runSchema, runSummarySchema, summarize, type Run, type RunSummary } from '../types/run-record.js';
import type { EventDraft, RunStorage, StepLog } from '../store/run-storage.js';
import type { StepEntry } from '../types/run-step.js';
import { ClusterError, NotFoundError } from '../errors.js';
import type { RedisConnection } from './redis-connection.js';
import type { RunFence } from './run-fence.js';
import { APPEND_EVENT_SCRIPT, SAVE_SCRIPT, STEP_SCRIPT } from './run-store-scripts.js';

const stepEntrySchema = z.object({ key: z.string(), value: z.unknown(), at: z.string() });
/** A change of the index; `from` is the store that made it, which has applied it already. */
const indexChangeSchema = z.object({
  id: z.string(),
  summary: runSummarySchema.nullable(),
  from: z.string().optional(),
});

/**
 * Runs kept in Redis, so that every member of a cluster lists, reads and follows every run: `<prefix>:runs`
 * (a hash of summaries), `<prefix>:run:<id>` (the record), `…:events` and `…:steps` (lists, append-only),
 * `…:seq` (the last event's number). Each member mirrors the summaries in memory (listing costs no round trip)
 * and hears every change on `<prefix>:runs-changed`; events go out on `<prefix>:events` once stored. What a
 * run's execution writes is fenced (run-fence.ts): it lands only while this member holds the run.
 */
export class ClusterRunStore implements RunStorage {
  readonly #connection: RedisConnection;
  readonly #subscriber: RedisClient;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #fence: RunFence;
  /** Tells this store's index messages from the others'. */
  readonly #instance = randomUUID();
  readonly #summaries = new Map<string, RunSummary>();
  readonly #eventWatchers = new Set<(event: RunEvent) => void>();
  /** Each run's event appends, chained: they reach Redis in the order they were emitted, even across a retry. */
  readonly #appending = new Map<string, Promise<void>>();
  readonly #corrupt = new Map<string, string[]>();
  #version = 0;

  private constructor(
    connection: RedisConnection,
    subscriber: RedisClient,
    prefix: string,
    logger: Logger,
    fence: RunFence,
  ) {
    this.#connection = connection;
    this.#fence = fence;
    fence.trackWrites((id) => this.eventsStored(id));
    this.#subscriber = subscriber;
    this.#prefix = prefix;
    this.#logger = logger;
  }

  /** Reads the index and starts hearing the cluster's changes (on a second connection, as pub/sub needs). */
  static async open(
    connection: RedisConnection,
    prefix: string,
    logger: Logger,
    fence: RunFence,
  ): Promise<ClusterRunStore> {
    const subscriber = connection.client.duplicate({ lazyConnect: true });
    subscriber.on('error', (error: Error) => logger.debug({ err: error }, 'cluster: run store subscriber error'));
    await subscriber.connect();
    const store = new ClusterRunStore(connection, subscriber, prefix, logger, fence);
    subscriber.on('message', (channel: string, message: string) => store.#heard(channel, message));
    await subscriber.subscribe(store.#eventsChannel, store.#indexChannel);
    const index = await connection.run(() => connection.client.hgetall(store.#key('runs')));
    for (const [id, text] of Object.entries(index)) {
      const parsed = runSummarySchema.safeParse(safeJson(text));
      if (parsed.success) store.#summaries.set(id, parsed.data);
      else logger.warn({ runId: id }, 'cluster: unreadable run summary skipped');
    }
    return store;
  }

  get version(): number {
    return this.#version;
  }

  list(): RunSummary[] {
    return [...this.#summaries.values()].sort(newestFirst);
  }

  has(id: string): boolean {
    return this.#summaries.has(id);
  }

  async exists(id: string): Promise<boolean> {
    if (this.#summaries.has(id)) return true;
    if (!isRunId(id)) return false;
    return (await this.#connection.run(() => this.#connection.client.exists(this.#key(`run:${id}`)))) === 1;
  }

  async get(id: string): Promise<Run> {
    checkRunId(id);
    const text = await this.#connection.run(() => this.#connection.client.get(this.#key(`run:${id}`)));
    if (text === null) throw new NotFoundError(`no run with id "${id}"`);
    return runSchema.parse(JSON.parse(text));
  }

  async save(run: Run): Promise<void> {
    const summary = summarize(run);
    this.#setSummary(run.id, summary);
    // The record never runs ahead of the events: a run read as ended has its terminal event stored.
    await this.eventsStored(run.id);
    const writer = this.#fence.writer(run.id) ?? '';
    const saved = await this.#connection.run(() =>
      this.#connection.client.eval(
        SAVE_SCRIPT,
        3,
        this.#fence.runningKey,
        this.#key(`run:${run.id}`),
        this.#key('runs'),
        writer,
        run.id,
        JSON.stringify(run),
        JSON.stringify(summary),
        this.#indexChannel,
        JSON.stringify({ id: run.id, summary, from: this.#instance }),
      ),
    );
    if (Number(saved) !== 1) throw this.#refused(run.id);
  }

  async discard(id: string): Promise<void> {
    this.#setSummary(id, null);
    await this.#connection.run(() =>
      this.#connection.client
        .multi()
        .del(this.#key(`run:${id}`), this.#key(`run:${id}:events`), this.#key(`run:${id}:seq`))
        .del(this.#key(`run:${id}:steps`))
        .hdel(this.#key('runs'), id)
        .publish(this.#indexChannel, JSON.stringify({ id, summary: null, from: this.#instance }))
        .exec(),
    );
  }

  /**
   * Queues the event for Redis, which numbers, stores and publishes it; it reaches this member's listeners as
   * it reaches every other's. A write that fails after the wait bound is logged: the run goes on.
   */
  appendEvent(draft: EventDraft): undefined {
    const keys = [this.#fence.runningKey, this.#key(`run:${draft.runId}:events`), this.#key(`run:${draft.runId}:seq`)];
    const writer = this.#fence.writer(draft.runId) ?? '';
    const previous = this.#appending.get(draft.runId) ?? Promise.resolve();
    const appended = previous
      .then(() =>
        this.#connection.run(() =>
          this.#connection.client.eval(
            APPEND_EVENT_SCRIPT,
            3,
            ...keys,
            writer,
            draft.runId,
            JSON.stringify(draft),
            this.#eventsChannel,
          ),
        ),
      )
      .then((seq) => {
        if (Number(seq) === -1) throw this.#refused(draft.runId);
      })
      .catch((error: unknown) =>
        this.#logger.error({ err: error, runId: draft.runId, type: draft.type }, 'cluster: run event not stored'),
      );
    this.#appending.set(draft.runId, appended);
    void appended.then(() => {
      if (this.#appending.get(draft.runId) === appended) this.#appending.delete(draft.runId);
    });
    return undefined;
  }

  /** Resolves once every event emitted so far for the run (or for every run) has been stored. */
  async eventsStored(runId?: string): Promise<void> {
    if (runId !== undefined) await this.#appending.get(runId);
    else await Promise.all(this.#appending.values());
  }

  watchEvents(listener: (event: RunEvent) => void): () => void {
    this.#eventWatchers.add(listener);
    return () => this.#eventWatchers.delete(listener);
  }

  async readEvents(id: string): Promise<RunEvent[]> {
    checkRunId(id);
    const lines = await this.#connection.run(() =>
      this.#connection.client.lrange(this.#key(`run:${id}:events`), 0, -1),
    );
    return this.#parseAll(id, 'events', lines, (value) => storedRunEventSchema.parse(value) as RunEvent);
  }

  async steps(id: string): Promise<{ log: StepLog; entries: StepEntry[] }> {
    checkRunId(id);
    const key = this.#key(`run:${id}:steps`);
    const lines = await this.#connection.run(() => this.#connection.client.lrange(key, 0, -1));
    const entries = this.#parseAll(id, 'steps', lines, (value) => stepEntrySchema.parse(value) as StepEntry);
    const writer = this.#fence.writer(id) ?? '';
    const log: StepLog = {
      append: async (entry: StepEntry) => {
        const stored = await this.#connection.run(() =>
          this.#connection.client.eval(STEP_SCRIPT, 2, this.#fence.runningKey, key, writer, id, JSON.stringify(entry)),
        );
        if (Number(stored) !== 1) throw this.#refused(id);
      },
    };
    return { log, entries };
  }

  /** Nothing is held open per run. */
  release(): void {}

  /** Writes go to Redis: they can be made while it answers. */
  isWritable(): boolean {
    return this.#connection.available;
  }

  corruptLines(id: string): readonly string[] {
    return this.#corrupt.get(id) ?? [];
  }

  /** Stops hearing the cluster, after the events already emitted are stored. The shared connection stays open. */
  async close(): Promise<void> {
    await this.eventsStored();
    this.#eventWatchers.clear();
    this.#subscriber.disconnect();
  }

  #heard(channel: string, message: string): void {
    if (channel === this.#eventsChannel) {
      const parsed = storedRunEventSchema.safeParse(safeJson(message));
      if (!parsed.success) return;
      for (const watcher of this.#eventWatchers) watcher(parsed.data as RunEvent);
      return;
    }
    const change = indexChangeSchema.safeParse(safeJson(message));
    // This store's own changes are applied as they are made: heard late, one would undo a later one (a save
    // heard after the discard that followed it).
    if (change.success && change.data.from !== this.#instance) this.#setSummary(change.data.id, change.data.summary);
  }

  /** A write of a run this member no longer holds: the execution here stops, and the write is an error. */
  #refused(id: string): ClusterError {
    this.#fence.refused(id);
    return new ClusterError(`this member no longer holds run ${id} (its lease expired): its write was refused`);
  }

  #setSummary(id: string, summary: RunSummary | null): void {
    const previous = this.#summaries.get(id);
    if (summary === null) {
      if (this.#summaries.delete(id)) this.#version += 1;
      return;
    }
    if (previous && JSON.stringify(previous) === JSON.stringify(summary)) return;
    this.#summaries.set(id, summary);
    this.#version += 1;
  }

  #parseAll<T>(id: string, name: string, lines: string[], parse: (value: unknown) => T): T[] {
    const entries: T[] = [];
    lines.forEach((line, index) => {
      try {
        entries.push(parse(JSON.parse(line)));
      } catch (error) {
        const found = this.#corrupt.get(id) ?? [];
        const note = `${name}: corrupt entry ${index + 1} skipped (${error instanceof Error ? error.message.split('\n')[0] : 'invalid'})`;
        if (!found.includes(note)) found.push(note);
        this.#corrupt.set(id, found);
      }
    });
    return entries;
  }

  get #eventsChannel(): string {
    return this.#key('events');
  }

  get #indexChannel(): string {
    return this.#key('runs-changed');
  }

  #key(name: string): string {
    return `${this.#prefix}:${name}`;
  }
}

/** Ids are generated by the daemon, but a client can send any string: never let one name another key. */
function isRunId(id: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(id);
}

function checkRunId(id: string): void {
  if (!isRunId(id)) throw new NotFoundError(`no run with id "${id}"`);
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
