import type { Usage } from '../runs/run-record.js';
import { ledgerEntrySchema, type LedgerEntry } from './cost-ledger.js';

const MINUTE_MS = 60_000;

/** Spend in buckets of `bucketSeconds`, oldest first; `start` is ISO, `byModel` keyed by `provider/model`. */
export interface UsageHistorySeries {
  bucketSeconds: number;
  buckets: Array<{ start: string; total: Usage; byModel: Record<string, Usage> }>;
}

function emptyUsage(): Usage {
  return { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
}

/**
 * Spend and tokens over time, from the ledger: every paid call counted into its minute, per model. Cached
 * replays are left out, as in the ledger's totals. Only minutes with calls are kept, so a daemon's whole
 * history stays small (a few hundred bytes per active minute).
 */
export class UsageHistory {
  readonly #minutes = new Map<number, Map<string, Usage>>();

  constructor(existing: readonly unknown[] = []) {
    for (const raw of existing) {
      const parsed = ledgerEntrySchema.safeParse(raw);
      if (parsed.success) this.add(parsed.data);
    }
  }

  add(entry: LedgerEntry): void {
    if (entry.cached) return;
    const at = Date.parse(entry.at);
    if (Number.isNaN(at)) return;
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    let models = this.#minutes.get(minute);
    if (!models) {
      models = new Map();
      this.#minutes.set(minute, models);
    }
    const model = `${entry.provider}/${entry.model}`;
    let usage = models.get(model);
    if (!usage) {
      usage = emptyUsage();
      models.set(model, usage);
    }
    addTo(usage, entry);
  }

  /** The non-empty buckets of `bucketSeconds` (a whole number of minutes), oldest first, from `since`. */
  series(options: { bucketSeconds: number; since?: Date }): UsageHistorySeries {
    const bucketMs = Math.max(1, Math.round(options.bucketSeconds / 60)) * MINUTE_MS;
    const since = options.since?.getTime() ?? -Infinity;
    const buckets = new Map<number, { total: Usage; byModel: Record<string, Usage> }>();
    for (const [minute, models] of [...this.#minutes].sort((a, b) => a[0] - b[0])) {
      if (minute + MINUTE_MS <= since) continue;
      const start = Math.floor(minute / bucketMs) * bucketMs;
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = { total: emptyUsage(), byModel: {} };
        buckets.set(start, bucket);
      }
      for (const [model, usage] of models) {
        merge(bucket.total, usage);
        bucket.byModel[model] ??= emptyUsage();
        merge(bucket.byModel[model], usage);
      }
    }
    return {
      bucketSeconds: bucketMs / 1000,
      buckets: [...buckets].map(([start, bucket]) => ({ start: new Date(start).toISOString(), ...bucket })),
    };
  }
}

function addTo(usage: Usage, entry: LedgerEntry): void {
  merge(usage, {
    calls: 1,
    promptTokens: entry.promptTokens,
    completionTokens: entry.completionTokens,
    costUsd: entry.costUsd,
    ...(entry.costUnknown ? { costUnknown: true } : {}),
  });
}

function merge(into: Usage, usage: Usage): void {
  into.calls += usage.calls;
  into.promptTokens += usage.promptTokens;
  into.completionTokens += usage.completionTokens;
  into.costUsd += usage.costUsd;
  if (usage.costUnknown) into.costUnknown = true;
}
