import { AbortError } from '../errors.js';

/**
 * Everything a run has started (LLM calls, steps, searches, page loads), so that its end can wait for all
 * of it: a run's terminal event is written only once none of its work is still going. Work started after
 * the run's signal is aborted is refused at once.
 */
export class WorkGroup {
  readonly #signal: AbortSignal;
  readonly #pending = new Set<Promise<void>>();

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  get pending(): number {
    return this.#pending.size;
  }

  track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#signal.aborted)
      return Promise.reject(new AbortError('the run has ended', { cause: this.#signal.reason }));
    const promise = work();
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return promise;
  }

  /** Resolves once nothing tracked is pending, including what finishing work started meanwhile. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending]);
      // Let handlers of what just settled run (an action's catch, its action-end) before checking again.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
