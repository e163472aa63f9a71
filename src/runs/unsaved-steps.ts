import type { Logger } from '../logger.js';
import type { RunStorage } from '../store/run-storage.js';
import type { Run } from '../types/run-record.js';

/**
 * Step results the store refused (a full disk), per run, kept in this process so that the run's next execution
 * writes and reuses them (see RunSteps) rather than doing the work, and paying for its LLM calls, again.
 */
export class UnsavedSteps {
  readonly #runs = new Map<string, Map<string, unknown>>();

  /** The run's unsaved results, which its execution reads and fills. */
  of(id: string): Map<string, unknown> {
    let unsaved = this.#runs.get(id);
    if (!unsaved) {
      unsaved = new Map();
      this.#runs.set(id, unsaved);
    }
    return unsaved;
  }

  /**
   * An execution of the run has ended with this status: nothing left to write, or a completed run, lets go of
   * its entry; a run paused by the full disk, failed or cancelled keeps its results for the next execution.
   */
  ended(id: string, status: Run['status'] | undefined): void {
    if (this.#runs.get(id)?.size === 0 || status === 'completed') this.#runs.delete(id);
  }

  /** Writes what it can of every run's results before the daemon stops, so that the next start reuses them too. */
  async writeAll(runs: RunStorage, logger: Logger): Promise<void> {
    for (const [id, unsaved] of this.#runs) {
      try {
        const { log } = await runs.steps(id);
        for (const [key, value] of unsaved) {
          await log.append({ key, value, at: new Date().toISOString() });
          unsaved.delete(key);
        }
        this.#runs.delete(id);
      } catch (error) {
        logger.warn(
          { err: error, runId: id, steps: unsaved.size },
          'finished steps kept while the disk was full could not be written: the next start does them again',
        );
      }
    }
  }
}
