import type { StepLog } from '../store/run-storage.js';
import type { StepEntry } from '../types/run-step.js';

/**
 * A run's finished steps by key: a step's result is persisted (appended to `steps.jsonl` synchronously, or
 * pushed to Redis and awaited in a cluster) before it is returned, so nothing builds on a result that is not
 * stored; a resumed run, on this member or another, gets the stored result back.
 * Concurrent calls for one key share one execution.
 *
 * A result whose append fails (a full disk) is not thrown away with the error: it is kept in `unsaved`, which
 * outlives this execution, and the next execution of the run in this process writes it and uses it instead of
 * doing the work again, so an LLM call that finished while the disk was full is not paid for twice.
 */
export class RunSteps {
  readonly #log: StepLog;
  readonly #done = new Map<string, unknown>();
  readonly #running = new Map<string, Promise<unknown>>();
  readonly #unsaved: Map<string, unknown>;
  /** Steps replayed (from disk, or kept from an append that failed) in this execution: a resume's savings. */
  replayed = 0;

  constructor(log: StepLog, entries: readonly StepEntry[], unsaved: Map<string, unknown> = new Map()) {
    this.#log = log;
    this.#unsaved = unsaved;
    for (const entry of entries) this.#done.set(entry.key, entry.value);
    // Written by an earlier execution after all (a cluster member that wrote it): nothing left to keep.
    for (const key of this.#done.keys()) this.#unsaved.delete(key);
  }

  get size(): number {
    return this.#done.size;
  }

  has(key: string): boolean {
    return this.#done.has(key);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.#done.has(key)) {
      this.replayed += 1;
      return this.#done.get(key) as T;
    }
    const running = this.#running.get(key);
    if (running) return running as Promise<T>;
    const kept = this.#unsaved.has(key);
    const produce = kept
      ? Promise.resolve(this.#unsaved.get(key))
      : // JSON round-trip: what is replayed later is exactly what is stored now.
        work().then((value) => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown)));
    const promise = produce.then(async (stored) => {
      try {
        await this.#log.append({ key, value: stored, at: new Date().toISOString() });
      } catch (error) {
        this.#unsaved.set(key, stored);
        throw error;
      }
      this.#unsaved.delete(key);
      this.#done.set(key, stored);
      if (kept) this.replayed += 1;
      return stored as T;
    });
    this.#running.set(key, promise);
    try {
      return await promise;
    } finally {
      this.#running.delete(key);
    }
  }
}
