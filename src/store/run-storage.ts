import type { RunEvent } from '../types/run-events.js';
import type { Run, RunPage, RunPageRequest, RunSummary } from '../types/run-record.js';
import type { StepEntry } from '../types/run-step.js';

/** Where a run's finished steps are appended; the step is durable once `append` has returned or resolved. */
export interface StepLog {
  append(entry: StepEntry): unknown;
}

/** An event before the storage numbers it. */
export type EventDraft = Omit<RunEvent, 'seq'>;

/**
 * Where runs live: the index of summaries, each run's record, its numbered events and its finished steps.
 * `RunStore` keeps them in the data dir (the default); `ClusterRunStore` keeps them in Redis, so that every
 * member of a cluster sees every run. Both pass the same contract tests (test/store/run-storage.test.ts).
 */
export interface RunStorage {
  /** Increases whenever a run's summary changes: a cheap test for "has the list changed?". */
  readonly version: number;
  /**
   * One page of summaries, newest first (by id: ids are time-ordered), read from where the runs are stored:
   * what is held in memory does not grow with the number of runs.
   */
  list(page: RunPageRequest): Promise<RunPage>;
  /** The runs left `queued` or `running` (by a stop or a crash), oldest first. */
  unfinished(): Promise<RunSummary[]>;
  /** Whether the run exists, asking the source of truth. */
  exists(id: string): Promise<boolean>;
  /** The run's record; NotFoundError when there is none. */
  get(id: string): Promise<Run>;
  /** Writes a run's record and its summary in the index. */
  save(run: Run): Promise<void>;
  /** Removes a run that could not be created, so nothing half made is listed or resumed. */
  discard(id: string): Promise<void>;
  /**
   * Persists an event, numbering it after the run's last (`seq`). Returns the stored event when it is
   * persisted at once (the local store); undefined when it is numbered and persisted later, in order (the
   * cluster): stored events then reach listeners through `watchEvents`.
   */
  appendEvent(draft: EventDraft): RunEvent | undefined;
  /** Calls `listener` with every event persisted by this storage's asynchronous path (the cluster's). */
  watchEvents(listener: (event: RunEvent) => void): () => void;
  /** The run's persisted events, in order. */
  readEvents(id: string): Promise<RunEvent[]>;
  /** The run's finished steps and the log to append new ones to. */
  steps(id: string): Promise<{ log: StepLog; entries: StepEntry[] }>;
  /** The run has finished here: what is held open for it can be let go (it reopens on demand). */
  release(id: string): void;
  /** Whether a small write would succeed now (after a full disk: has space been freed?). */
  isWritable(): boolean;
  /** What was found damaged (and skipped) in the run's stored events or steps. */
  corruptLines(id: string): readonly string[];
  close(): void | Promise<void>;
}
