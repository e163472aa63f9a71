import type { CostLedger } from '../gateway/cost-ledger.js';
import type { RunStorage } from '../store/run-storage.js';
import type { RunPage, RunPageRequest } from '../types/run-record.js';
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

  /** One page of the list, newest first, with the live status and cost of the runs executing here. */
  async list(page: RunPageRequest): Promise<RunPage> {
    const stored = await this.#runs.list(page);
    const runs = stored.runs.map((summary) => {
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
    return stored.next === undefined ? { runs } : { runs, next: stored.next };
  }

  /**
   * The page as encoded JSON (`{"runs": [...], "next"?}`), read again only when a run's summary or the ledger
   * has changed since the last page asked for: the dashboard asks for the first page at every event of a run.
   * One page is kept, so memory does not grow with the pages asked for.
   */
  async json(page: RunPageRequest): Promise<Buffer> {
    // Active runs' statuses change in memory a moment before the store's version does: they are in the key.
    const live = [...this.#active].map(([id, active]) => `${id}=${active.recorder?.run.status ?? ''}`).join(',');
    const key = `${page.limit}:${page.before ?? ''}:${this.#runs.version}:${this.#ledger.size}:${live}`;
    if (this.#cache?.key === key) return this.#cache.body;
    const body = Buffer.from(JSON.stringify(await this.list(page)));
    this.#cache = { key, body };
    return body;
  }
}
