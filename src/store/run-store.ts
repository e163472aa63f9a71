import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, storeWriteError } from '../errors.js';
import { type RunEvent, storedRunEventSchema } from '../types/run-events.js';
import {
  isRunId,
  isUnfinished,
  runSchema,
  summarize,
  type Run,
  type RunPage,
  type RunPageRequest,
  type RunStatus,
  type RunSummary,
} from '../types/run-record.js';
import { AppendLog } from './append-log.js';
import { JsonDocument } from './json-document.js';
import type { StepEntry } from '../types/run-step.js';
import type { EventDraft, RunStorage } from './run-storage.js';
import { ensureWritableDirectory } from './writable-directory.js';
import { migrateLegacyIndex, readSummaryFile } from './run-summary-files.js';

const parseEvent = (value: unknown): RunEvent => storedRunEventSchema.parse(value) as RunEvent;

/** Summaries read at once when listing: enough to overlap the reads, few enough to hold no memory to speak of. */
const READ_BATCH = 64;

/** A run whose record is held in memory, with its summary as written to `summary.json`. */
interface OpenRun {
  record: JsonDocument<Run>;
  /** Created on the first summary written through this entry. */
  summaryDocument: JsonDocument<RunSummary> | undefined;
  /** The summary on disk (or being written), as JSON, to tell whether a save changes it. */
  summaryText: string | undefined;
  /** The status of the latest save. */
  status: RunStatus;
  /** Whether the run's marker is in `unfinished/`. */
  marked: boolean;
}

/**
 * Runs on disk, one folder per run: its record (`run.json`, rewritten atomically), its summary for listing
 * (`summary.json`, rewritten when it changes), its events (`events.jsonl`) and its finished steps
 * (`steps.jsonl`), both append-only; and an empty file `unfinished/<id>` while the run is queued or running,
 * so that a start finds what to resume without reading every run. Nothing is held per run stored: a page of
 * the list reads the folder names (run ids are time-ordered) and the page's summaries, and at most
 * `maxOpenRecords` records stay open.
 */
export class RunStore implements RunStorage {
  readonly #directory: string;
  /** Open runs, least recently used first: at most `#maxDocuments` (plus any being written). */
  readonly #documents = new Map<string, OpenRun>();
  /** Runs being opened, so that two callers never open two documents over one file. */
  readonly #opening = new Map<string, Promise<OpenRun>>();
  /** Writes in progress per run: such a record is never closed, so two writers never share its file. */
  readonly #writing = new Map<string, number>();
  readonly #maxDocuments: number;
  readonly #logs = new Map<string, AppendLog<unknown>>();
  /** Corrupt lines skipped when a run's logs were opened, by run id (runs that ran since the start). */
  readonly #corrupt = new Map<string, string[]>();
  /** The last `seq` of each run whose events log is open. */
  readonly #lastSeq = new Map<string, number>();
  #version = 0;

  private constructor(directory: string, maxDocuments: number) {
    this.#directory = directory;
    this.#maxDocuments = maxDocuments;
  }

  /**
   * @param options.maxOpenRecords run records kept in memory after use (the most recently used); others are
   *   read from disk when asked for. @default 100
   */
  static async open(directory: string, options: { maxOpenRecords?: number } = {}): Promise<RunStore> {
    mkdirSync(path.join(directory, 'runs'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(directory, 'unfinished'), { recursive: true, mode: 0o700 });
    migrateLegacyIndex(directory);
    return new RunStore(directory, options.maxOpenRecords ?? 100);
  }

  /** Run records held in memory now. */
  get openRecords(): number {
    return this.#documents.size;
  }

  /** Increases whenever a run's summary changes: a cheap test for "has the list changed?". */
  get version(): number {
    return this.#version;
  }

  async list(page: RunPageRequest): Promise<RunPage> {
    const before = page.before;
    const ids = (await this.#ids()).filter((id) => before === undefined || id < before).sort(newestFirst);
    const runs: RunSummary[] = [];
    // One more than the page, to know whether there is a next one; a folder without a record is skipped.
    for (let start = 0; start < ids.length && runs.length <= page.limit; ) {
      const batch = ids.slice(start, start + Math.min(READ_BATCH, page.limit + 1 - runs.length));
      start += batch.length;
      for (const summary of await Promise.all(batch.map((id) => this.#summary(id)))) if (summary) runs.push(summary);
    }
    if (runs.length <= page.limit) return { runs };
    runs.length = page.limit;
    return { runs, next: (runs.at(-1) as RunSummary).id };
  }

  /** The marked runs whose record says queued or running; a marker left by a crash is removed. */
  async unfinished(): Promise<RunSummary[]> {
    const found: RunSummary[] = [];
    for (const id of (await readdir(path.join(this.#directory, 'unfinished'))).filter(isRunId)) {
      let run: Run | undefined;
      try {
        run = (await this.#open(id)).record.data;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      if (run && isUnfinished(run.status)) found.push(summarize(run));
      else if (!this.#writing.has(id)) this.#unmark(id);
    }
    return found.sort(oldestFirst);
  }

  async exists(id: string): Promise<boolean> {
    return isRunId(id) && (this.#documents.has(id) || existsSync(path.join(this.#runDirectory(id), 'run.json')));
  }

  async get(id: string): Promise<Run> {
    return (await this.#open(id)).record.data;
  }

  /** Writes a run's record, and its summary when that changed. */
  async save(run: Run): Promise<void> {
    // An open run is updated in this tick, with its summary: a status change is never seen half made.
    let open = this.#documents.get(run.id);
    if (open) {
      this.#documents.delete(run.id);
      this.#documents.set(run.id, open);
    } else open = await this.#open(run.id, run);
    const entry = open;
    entry.status = run.status;
    // Marked before the record is written, unmarked after: a crash between leaves a marker too many, never
    // one too few (a record that says `completed` with a marker is simply unmarked at the next start).
    if (isUnfinished(run.status) && !entry.marked) {
      this.#mark(run.id);
      entry.marked = true;
    }
    const writes: Promise<void>[] = [open.record.set(run)];
    const summary = summarize(run);
    const text = summaryText(summary);
    if (text !== open.summaryText) {
      open.summaryText = text;
      this.#version += 1;
      open.summaryDocument ??= JsonDocument.of(path.join(this.#runDirectory(run.id), 'summary.json'), summary);
      writes.push(open.summaryDocument.set(summary));
    }
    this.#writing.set(run.id, (this.#writing.get(run.id) ?? 0) + 1);
    await Promise.all(writes)
      .then(() => {
        // The latest save's status, not this one's: a resume may have saved `queued` meanwhile.
        if (!isUnfinished(entry.status) && entry.marked) {
          this.#unmark(run.id);
          entry.marked = false;
        }
      })
      .finally(() => {
        const left = (this.#writing.get(run.id) ?? 1) - 1;
        if (left > 0) this.#writing.set(run.id, left);
        else this.#writing.delete(run.id);
        this.#evict();
      });
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
    this.#version += 1;
    rmSync(this.#runDirectory(id), { recursive: true, force: true });
    this.#unmark(id);
  }

  #mark(id: string): void {
    try {
      writeFileSync(path.join(this.#directory, 'unfinished', id), '', { mode: 0o600 });
    } catch (error) {
      throw storeWriteError(`cannot mark run ${id} unfinished`, error);
    }
  }

  #unmark(id: string): void {
    rmSync(path.join(this.#directory, 'unfinished', id), { force: true });
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

  /** The run's open record (opened from disk, or created from `initial`), most recently used now. */
  async #open(id: string, initial?: Run): Promise<OpenRun> {
    const cached = this.#documents.get(id);
    if (cached) {
      this.#documents.delete(id);
      this.#documents.set(id, cached);
      return cached;
    }
    let opening = this.#opening.get(id);
    if (!opening) {
      opening = this.#read(id, initial).finally(() => this.#opening.delete(id));
      this.#opening.set(id, opening);
    }
    const open = await opening;
    if (!this.#documents.has(id)) {
      this.#documents.set(id, open);
      this.#evict(id);
    }
    return open;
  }

  async #read(id: string, initial: Run | undefined): Promise<OpenRun> {
    const directory = this.#runDirectory(id);
    if (initial) {
      try {
        mkdirSync(directory, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw storeWriteError(`cannot create ${directory}`, error);
      }
    }
    const record = await JsonDocument.open<Run>(path.join(directory, 'run.json'), initial ?? null, (value) =>
      runSchema.parse(value),
    );
    if (!record) throw new NotFoundError(`no run with id "${id}"`);
    const stored = await readSummaryFile(directory);
    return {
      record,
      summaryDocument: undefined,
      summaryText: stored && summaryText(stored),
      status: record.data.status,
      marked: existsSync(path.join(this.#directory, 'unfinished', id)),
    };
  }

  /** The run's summary: from its open record, else `summary.json`, else its record; undefined without one. */
  async #summary(id: string): Promise<RunSummary | undefined> {
    const open = this.#documents.get(id);
    if (open) return summarize(open.record.data);
    const directory = this.#runDirectory(id);
    const stored = await readSummaryFile(directory);
    if (stored) return stored;
    // A run whose summary was never written (a crash right after its first save, or a damaged file).
    try {
      return summarize(runSchema.parse(JSON.parse(await readFile(path.join(directory, 'run.json'), 'utf8'))));
    } catch {
      return undefined;
    }
  }

  /** Every run folder's name (ids are checked: nothing else is ever listed). */
  async #ids(): Promise<string[]> {
    return (await readdir(path.join(this.#directory, 'runs'))).filter(isRunId);
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
    if (!isRunId(id)) throw new NotFoundError(`no run with id "${id}"`);
    return path.join(this.#directory, 'runs', id);
  }
}

/** A summary as comparable text, whatever the order its fields were read or built in. */
function summaryText(summary: RunSummary): string {
  return JSON.stringify(summary, Object.keys(summary).sort());
}

function newestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function oldestFirst(a: RunSummary, b: RunSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
