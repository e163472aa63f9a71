import type { CostLedger, LedgerEntry, UsageTotals } from './cost-ledger.js';
import type { UsageHistory, UsageHistorySeries, UsageSeriesOptions } from './usage-history.js';

/**
 * What `GET /v1/usage` and `GET /v1/usage/history` (the dashboard's usage view) read: this daemon's ledger, or
 * in a cluster the ledger of every member (src/cluster/shared-ledger.ts). Asynchronous because the cluster's
 * lives in Redis.
 */
export interface UsageSource {
  /** Spend and tokens of every paid call, total and per provider and `provider/model`. */
  totals(): Promise<UsageTotals>;
  /** Spend and tokens per time bucket and `provider/model`, oldest first. */
  series(options: UsageSeriesOptions): Promise<UsageHistorySeries>;
  /** Counts a call this daemon made (its ledger's totals count it already; this is for the history). */
  add(entry: LedgerEntry): void;
}

/** The usage of this daemon's own calls: its ledger's totals and its usage history. */
export function localUsage(ledger: CostLedger, history: UsageHistory): UsageSource {
  return {
    totals: async () => ledger.totals(),
    series: async (options) => history.series(options),
    add: (entry) => history.add(entry),
  };
}
