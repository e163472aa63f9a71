import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { NotFoundError, storeWriteError } from '../errors.js';
import { type RunEvent, storedRunEventSchema } from '../types/run-events.js';
import { runSchema, summarize, type Run, type RunSummary } from '../runs/run-record.js';
import { AppendLog } from './append-log.js';
import { JsonDocument } from './json-document.js';
import type { EventDraft, RunStorage, StepEntry } from './run-storage.js';
import { ensureWritableDirectory } from './writable-directory.js';

export type { StepEntry } from './run-storage.js';

const parseEvent = (value: unknown): RunEvent => storedRunEventSchema.parse(value) as RunEvent;

const indexSchema = z.object({ runs: z.array(z.any()) });
type RunIndex = { runs: RunSummary[] };

/**
 * Runs on disk: an index of summaries (`runs-index.json`, for listing without opening every run) and a folder
 * per run holding its record (`run.json`, rewritten atomically), its events (`events.jsonl`) and its finished
 * steps (`steps.jsonl`), both append-only.
 */
export class RunStore implements RunStorage {
  readonly #directory: string;
  readonly #index: JsonDocument<RunIndex>;
  /** Summaries by id, in creation order; the index file mirrors it. */
  readonly #summaries = new Map<string, RunSummary>();
  /** Open run records, least recently used first: at most `#maxDocuments` (plus any being written). */
  readonly #documents = new Map<string, JsonDocument<Run>>();
  /** Writes in progress per run: such a record is never closed, so two writers never share its file. */
  readonly #writing = new Map<string, number>();
  readonly #maxDocuments: number;
  readonly #logs = new Map<string, AppendLog<unknown>>();
  /** Corrupt lines skipped when a run's logs were opened, by run id. */
  readonly #corrupt = new Map<string, string[]>();
  /** The last `seq` of each run whose events log is open. */
  readonly #lastSeq = new Map<string, number>();
  #version = 0;

  private constructor(directory: string, index: JsonDocument<RunIndex>, maxDocuments: number) {
    this.#directory = directory;
    this.#index = index;
    this.#maxDocuments = maxDocuments;
    for (const summary of index.data.runs) this.#summaries.set(summary.id, summary);
  }

  /**
   * @param options.maxOpenRecords run records kept in memory after use (the most recently used); others are
   *   read from disk when asked for. @default 100
   */
  static async open(directory: string, options: { maxOpenRecords?: number } = {}): Promise<RunStore> {
    mkdirSync(path.join(directory, 'runs'), { recursive: true, mode: 0o700 });
    const index = await JsonDocument.create<RunIndex>(
      path.join(directory, 'runs-index.json'),
      { runs: [] },
      (value) => indexSchema.parse(value) as RunIndex,
    );
    return new RunStore(directory, index, options.maxOpenRecords ?? 100);
  }

  /** Run records held in memory now. */
  get openRecords(): number {
    return this.#documents.size;
  }

  /** Increases whenever a run's summary changes: a cheap test for "has the list changed?". */
  get version(): number {
    return this.#version;
  }

  /** Summaries, newest first. */
  list(): RunSummary[] {
    return [...this.#summaries.values()].reverse();
  }

  has(id: string): boolean {
    return this.#summaries.has(id);
  }

  async exists(id: string): Promise<boolean> {
    return this.#summaries.has(id);
  }

  async get(id: string): Promise<Run> {
    return (await this.#document(id)).data;
  }

  /** Writes a run's record and its summary in the index. */
  async save(run: Run): Promise<void> {
    // An open document is updated in this tick, with its summary: a status change is never seen half made.
    let document = this.#documents.get(run.id);
    if (document) {
      this.#documents.delete(run.id);
      this.#documents.set(run.id, document);
    } else document = await this.#document(run.id, run);
    this.#writing.set(run.id, (this.#writing.get(run.id) ?? 0) + 1);
    const written = document.set(run).finally(() => {
      const left = (this.#writing.get(run.id) ?? 1) - 1;
      if (left > 0) this.#writing.set(run.id, left);
      else this.#writing.delete(run.id);
      this.#evict();
    });
    const writes: Promise<void>[] = [written];
    const summary = summarize(run);
    const previous = this.#summaries.get(run.id);
    if (!previous || JSON.stringify(previous) !== JSON.stringify(summary)) {
      this.#summaries.set(run.id, summary);
      this.#version += 1;
      this.#index.data.runs = [...this.#summaries.values()];
      writes.push(this.#index.write());
    }
    await Promise.all(writes);
  }

  /** The run's event log (opened once, then kept), with the entries it held when opened. */
  events<T>(id: string, parse?: (value: unknown) => T): { log: AppendLog<T>; entries: T[] } {
    return this.#openLog<T>(id, 'events.jsonl', parse);
  }

  /** Appends to the run's `events.jsonl` synchronously: the event is on disk when it is returned. */
  appendEvent(draft: EventDraft): RunEvent {
    const key = `${draft.runId}/events.jsonl`;
    let seq = this.#lastSeq.get(key);
    let log = this.#logs.get(key) as AppendLog<RunEvent> | undefined;
    // Read once when the log is opened; afterwards the last seq is kept, so an append never rereads the file.
    if (seq === undefined || !log) {
      const opened = this.events<RunEvent>(draft.runId, parseEvent);
      log = opened.log;
      seq = opened.entries.at(-1)?.seq ?? 0;
    }
    const event = { seq: seq + 1, ...draft } as RunEvent;
    log.append(event);
    this.#lastSeq.set(key, event.seq);
    return event;
  }

  /** Every event is persisted and returned by `appendEvent`: nothing arrives later. */
  watchEvents(): () => void {
    return () => undefined;
  }

  /** The run's events as stored, without keeping the log open (for replays of finished runs). */
  async readEvents(id: string): Promise<RunEvent[]> {
    const open = this.#logs.get(`${id}/events.jsonl`) as AppendLog<RunEvent> | undefined;
    return open
      ? open.readAll(parseEvent)
      : AppendLog.read<RunEvent>(path.join(this.#runDirectory(id), 'events.jsonl'), parseEvent);
  }

  /** The run's finished steps, keyed. */
  async steps(id: string): Promise<{ log: AppendLog<StepEntry>; entries: StepEntry[] }> {
    return this.#openLog<StepEntry>(id, 'steps.jsonl');
  }

  /** Closes the run's open logs (when it finishes); they reopen on demand. */
  release(id: string): void {
    for (const name of ['events.jsonl', 'steps.jsonl']) {
      const key = `${id}/${name}`;
      this.#logs.get(key)?.close();
      this.#logs.delete(key);
      this.#lastSeq.delete(key);
    }
  }

  /**
   * Removes a run that could not be created (its first write failed, e.g. on a full disk), so that the
   * client's 507 is the whole story: no half-made run is listed or resumed later.
   */
  async discard(id: string): Promise<void> {
    this.release(id);
    this.#documents.delete(id);
    this.#corrupt.delete(id);
    if (this.#summaries.delete(id)) {
      this.#version += 1;
      this.#index.data.runs = [...this.#summaries.values()];
    }
    rmSync(this.#runDirectory(id), { recursive: true, force: true });
    await this.#index.write();
  }

  /** Whether a small file can be written in the store now (after a full disk: has space been freed?). */
  isWritable(): boolean {
    try {
      // A few blocks, not an empty file: an empty file can be created on a disk that is still full.
      ensureWritableDirectory(path.join(this.#directory, 'runs'), 65_536);
      return true;
    } catch {
      return false;
    }
  }

  /** What was found damaged (and skipped) in the run's logs since the daemon started. */
  corruptLines(id: string): readonly string[] {
    return this.#corrupt.get(id) ?? [];
  }

  close(): void {
    for (const log of this.#logs.values()) log.close();
    this.#logs.clear();
    this.#lastSeq.clear();
  }

  #openLog<T>(id: string, name: string, parse?: (value: unknown) => T): { log: AppendLog<T>; entries: T[] } {
    const key = `${id}/${name}`;
    const open = this.#logs.get(key) as AppendLog<T> | undefined;
    if (open) return { log: open, entries: open.readAll(parse) };
    try {
      mkdirSync(this.#runDirectory(id), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw storeWriteError(`cannot create ${this.#runDirectory(id)}`, error);
    }
    const opened = AppendLog.open<T>(path.join(this.#runDirectory(id), name), parse);
    this.#logs.set(key, opened.log as AppendLog<unknown>);
    if (opened.corrupt.length > 0) {
      const found = this.#corrupt.get(id) ?? [];
      for (const line of opened.corrupt)
        found.push(`${name}: corrupt line at byte ${line.byte} skipped (${line.reason})`);
      this.#corrupt.set(id, found);
    }
    return opened;
  }

  async #document(id: string, initial?: Run): Promise<JsonDocument<Run>> {
    const cached = this.#documents.get(id);
    if (cached) {
      this.#documents.delete(id);
      this.#documents.set(id, cached);
      return cached;
    }
    if (!initial && !this.#summaries.has(id)) throw new NotFoundError(`no run with id "${id}"`);
    const directory = this.#runDirectory(id);
    if (initial) {
      try {
        mkdirSync(directory, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw storeWriteError(`cannot create ${directory}`, error);
      }
    }
    const document = await JsonDocument.open<Run>(path.join(directory, 'run.json'), initial ?? null, (value) =>
      runSchema.parse(value),
    );
    if (!document) throw new NotFoundError(`no run with id "${id}"`);
    this.#documents.set(id, document);
    this.#evict(id);
    return document;
  }

  /** Forgets the least recently used records beyond the bound, except those being written. */
  #evict(keep?: string): void {
    for (const id of this.#documents.keys()) {
      if (this.#documents.size <= this.#maxDocuments) return;
      if (id !== keep && !this.#writing.has(id)) this.#documents.delete(id);
    }
  }

  #runDirectory(id: string): string {
    // Ids are generated by the daemon, but a client can send any string: never let one leave the runs folder.
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new NotFoundError(`no run with id "${id}"`);
    return path.join(this.#directory, 'runs', id);
  }
}
