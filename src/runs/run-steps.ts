import type { StepEntry, StepLog } from '../store/run-storage.js';

/**
 * A run's finished steps by key: a step's result is persisted (appended to `steps.jsonl` synchronously, or
 * pushed to Redis and awaited in a cluster) before it is returned, so nothing builds on a result that is not
 * stored; a resumed run, on this member or another, gets the stored result back.
 * Concurrent calls for one key share one execution.
 */
export class RunSteps {
  readonly #log: StepLog;
  readonly #done = new Map<string, unknown>();
  readonly #running = new Map<string, Promise<unknown>>();
  /** Steps replayed from disk in this execution: a resume's savings. */
  replayed = 0;

  constructor(log: StepLog, entries: readonly StepEntry[]) {
    this.#log = log;
    for (const entry of entries) this.#done.set(entry.key, entry.value);
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
    const promise = work().then(async (value) => {
      // JSON round-trip: what is replayed later is exactly what is stored now.
      const stored = value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
      await this.#log.append({ key, value: stored, at: new Date().toISOString() });
      this.#done.set(key, stored);
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
