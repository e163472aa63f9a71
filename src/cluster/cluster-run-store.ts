import type { Redis as RedisClient } from 'ioredis';
import { z } from 'zod';
import { ClusterError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type RunEvent, storedRunEventSchema } from '../types/run-events.js';
import {
  isRunId,
  runSchema,
  runSummarySchema,
  summarize,
  type Run,
  type RunPage,
  type RunPageRequest,
  type RunSummary,
} from '../types/run-record.js';
import type { EventDraft, RunStorage, StepLog } from '../store/run-storage.js';
import type { StepEntry } from '../types/run-step.js';
import type { RedisConnection } from './redis-connection.js';
import type { RunFence } from './run-fence.js';
import { APPEND_EVENT_SCRIPT, SAVE_SCRIPT, STEP_SCRIPT } from './run-store-scripts.js';

const stepEntrySchema = z.object({ key: z.string(), value: z.unknown(), at: z.string() });
const indexChangeSchema = z.object({ id: z.string(), summary: runSummarySchema.nullable() });

/** Summaries scanned per round trip when looking through all of them (for the unfinished runs). */
const SCAN_COUNT = 500;

/**
 * Runs kept in Redis, so that every member of a cluster lists, reads and follows every run: `<prefix>:runs`
 * (a hash of summaries), `<prefix>:runs-order` (every id, in a sorted set of equal scores, so ordered by id:
 * time-ordered, which pages the list), `<prefix>:run:<id>` (the record), `…:events` and `…:steps` (lists,
 * append-only), `…:seq` (the last event's number). A page of the list is two round trips; nothing is held per
 * run in a member's memory. Every change is announced on `<prefix>:runs-changed` (the list's version);
 * events go out on `<prefix>:events` once stored. What a run's execution writes is fenced (run-fence.ts): it
 * lands only while this member holds the run.
 */
export class ClusterRunStore implements RunStorage {
  readonly #connection: RedisConnection;
  readonly #subscriber: RedisClient;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #fence: RunFence;
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

  /** Starts hearing the cluster's changes (on a second connection, as pub/sub needs). */
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
    await store.#orderEveryRun();
    return store;
  }

  /**
   * Clusters started before the list was paged have summaries without their place in `runs-order`: they are
   * added once (adding an id already there changes nothing).
   */
  async #orderEveryRun(): Promise<void> {
    const client = this.#connection.client;
    const [summaries, ordered] = await this.#connection.run(() =>
      Promise.all([client.hlen(this.#key('runs')), client.zcard(this.#key('runs-order'))]),
    );
    if (summaries === ordered) return;
    let cursor = '0';
    do {
      // With the values: HSCAN's NOVALUES needs Redis 7.4. This runs once per cluster, not per start.
      const [next, entries] = await this.#connection.run(() =>
        client.hscan(this.#key('runs'), cursor, 'COUNT', SCAN_COUNT),
      );
      const ids = entries.filter((_, index) => index % 2 === 0);
      if (ids.length > 0)
        await this.#connection.run(() => client.zadd(this.#key('runs-order'), ...ids.flatMap((id) => [0, id])));
      cursor = next;
    } while (cursor !== '0');
  }

  get version(): number {
    return this.#version;
  }

  async list(page: RunPageRequest): Promise<RunPage> {
    const client = this.#connection.client;
    const from = page.before === undefined ? '+' : `(${page.before}`;
    // One more than the page, to know whether there is a next one.
    const ids = await this.#connection.run(() =>
      client.zrevrangebylex(this.#key('runs-order'), from, '-', 'LIMIT', 0, page.limit + 1),
    );
    if (ids.length === 0) return { runs: [] };
    const texts = await this.#connection.run(() => client.hmget(this.#key('runs'), ...ids.slice(0, page.limit)));
    const runs: RunSummary[] = [];
    texts.forEach((text, index) => {
      const summary = this.#parseSummary(ids[index] as string, text);
      if (summary) runs.push(summary);
    });
    const last = ids[page.limit - 1];
    return ids.length > page.limit && last !== undefined ? { runs, next: last } : { runs };
  }

  async unfinished(): Promise<RunSummary[]> {
    const found: RunSummary[] = [];
    let cursor = '0';
    do {
      const [next, entries] = await this.#connection.run(() =>
        this.#connection.client.hscan(this.#key('runs'), cursor, 'COUNT', SCAN_COUNT),
      );
      for (let index = 0; index + 1 < entries.length; index += 2) {
        const summary = this.#parseSummary(entries[index] as string, entries[index + 1] as string);
        if (summary && (summary.status === 'queued' || summary.status === 'running')) found.push(summary);
      }
      cursor = next;
    } while (cursor !== '0');
    return found.sort(oldestFirst);
  }

  async exists(id: string): Promise<boolean> {
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
    checkRunId(run.id);
    const summary = summarize(run);
    this.#version += 1;
    // The record never runs ahead of the events: a run read as ended has its terminal event stored.
    await this.eventsStored(run.id);
    const writer = this.#fence.writer(run.id) ?? '';
    const saved = await this.#connection.run(() =>
      this.#connection.client.eval(
        SAVE_SCRIPT,
        4,
        this.#fence.runningKey,
        this.#key(`run:${run.id}`),
        this.#key('runs'),
        this.#key('runs-order'),
        writer,
        run.id,
        JSON.stringify(run),
        JSON.stringify(summary),
        this.#indexChannel,
        JSON.stringify({ id: run.id, summary }),
      ),
    );
    if (Number(saved) !== 1) throw this.#refused(run.id);
  }

  async discard(id: string): Promise<void> {
    checkRunId(id);
    this.#version += 1;
    await this.#connection.run(() =>
      this.#connection.client
        .multi()
        .del(this.#key(`run:${id}`), this.#key(`run:${id}:events`), this.#key(`run:${id}:seq`))
        .del(this.#key(`run:${id}:steps`))
        .hdel(this.#key('runs'), id)
        .zrem(this.#key('runs-order'), id)
        .publish(this.#indexChannel, JSON.stringify({ id, summary: null }))
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
    // Another member's save (this member's own come back too, and cost one more rebuild of a cached page).
    if (indexChangeSchema.safeParse(safeJson(message)).success) this.#version += 1;
  }

  /** A write of a run this member no longer holds: the execution here stops, and the write is an error. */
  #refused(id: string): ClusterError {
    this.#fence.refused(id);
    return new ClusterError(`this member no longer holds run ${id} (its lease expired): its write was refused`);
  }

  #parseSummary(id: string, text: string | null): RunSummary | undefined {
    if (text === null) return undefined;
    const parsed = runSummarySchema.safeParse(safeJson(text));
    if (parsed.success) return parsed.data;
    this.#logger.warn({ runId: id }, 'cluster: unreadable run summary skipped');
    return undefined;
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
function checkRunId(id: string): void {
  if (!isRunId(id)) throw new NotFoundError(`no run with id "${id}"`);
}

function oldestFirst(a: RunSummary, b: RunSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
