import type { Logger } from '../logger.js';
import type { RunStorage } from '../store/run-storage.js';

/** How often a run paused by a full disk checks whether space has been freed. */
const STORE_FULL_POLL_MS = 1_000;

/**
 * Runs paused by a full disk: each polls the store until a write succeeds again, then is queued again to
 * continue from its steps (by `requeue`, retried the same way if that fails).
 */
export class SpaceWaiter {
  readonly #runs: RunStorage;
  readonly #logger: Logger;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(runs: RunStorage, logger: Logger) {
    this.#runs = runs;
    this.#logger = logger;
  }

  wait(id: string, requeue: () => Promise<void>): void {
    this.#logger.warn({ runId: id }, 'the data dir is full: the run waits for space to continue');
    const timer = setInterval(() => {
      if (!this.#runs.isWritable()) return;
      this.stop(id);
      requeue().catch((error: unknown) => {
        this.#logger.error({ err: error, runId: id }, 'cannot queue the run again after the store was full');
        this.wait(id, requeue);
      });
    }, STORE_FULL_POLL_MS);
    timer.unref();
    this.#timers.set(id, timer);
  }

  /** Stops waiting for the run (it is cancelled); false when it was not waiting. */
  stop(id: string): boolean {
    const timer = this.#timers.get(id);
    if (!timer) return false;
    clearInterval(timer);
    this.#timers.delete(id);
    return true;
  }

  /** Stops every wait: the runs stay `running` in the store, and the next start resumes them. */
  clear(): void {
    for (const id of [...this.#timers.keys()]) this.stop(id);
  }
}
