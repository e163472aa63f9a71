import type { CostLedger } from '../gateway/cost-ledger.js';
import type { RunStorage } from '../store/run-storage.js';
import type { RunSummary } from '../types/run-record.js';
import type { ActiveRun } from './run-execution.js';

/**
 * The list of runs as `GET /v1/runs` shows it: the stored summaries, with the live status, cost and sources of
 * the runs being executed here.
 */
export class RunListing {
  readonly #runs: RunStorage;
  readonly #ledger: CostLedger;
  readonly #active: ReadonlyMap<string, ActiveRun>;
  #cache: { key: string; body: Buffer } | undefined;

  constructor(runs: RunStorage, ledger: CostLedger, active: ReadonlyMap<string, ActiveRun>) {
    this.#runs = runs;
    this.#ledger = ledger;
    this.#active = active;
  }

  list(): RunSummary[] {
    return this.#runs.list().map((summary) => {
      const recorder = this.#active.get(summary.id)?.recorder;
      return recorder
        ? {
            ...summary,
            status: recorder.run.status,
            costUsd: this.#ledger.runUsage(summary.id).costUsd,
            sourceCount: recorder.run.sources.length,
          }
        : summary;
    });
  }

  /**
   * `{"runs": [...]}` as encoded JSON, rebuilt only when a run's summary or the ledger has changed since:
   * listing 1,000 runs then costs a lookup, not 1,000 objects and 400 KB of garbage per request.
   */
  json(): Buffer {
    // Active runs' statuses change in memory a moment before the store's version does: they are in the key.
    const live = [...this.#active].map(([id, active]) => `${id}=${active.recorder?.run.status ?? ''}`).join(',');
    const key = `${this.#runs.version}:${this.#ledger.size}:${live}`;
    if (this.#cache?.key !== key) this.#cache = { key, body: Buffer.from(JSON.stringify({ runs: this.list() })) };
    return this.#cache.body;
  }
}
