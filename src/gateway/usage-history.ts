import type { Usage } from '../types/run-record.js';
import { addUsd, ledgerEntrySchema, type LedgerEntry } from './cost-ledger.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Minutes stay minutes for 2 days, then become hours; hours become days after 60 days. */
export const KEEP_MINUTES_MS = 2 * DAY_MS;
export const KEEP_HOURS_MS = 60 * DAY_MS;
/** Buckets held before the old ones are folded: 2 days of minutes and 60 days of hours fit well under it. */
const COMPACT_ABOVE = 5_000;

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
 * replays are left out, as in the ledger's totals. Only minutes with calls are kept, and old ones are folded
 * (minutes into hours after 2 days, hours into days after 60), so a daemon that is busy all year holds a few
 * thousand buckets, not one per minute it ever worked: what it holds grows with the days, never with calls.
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
    if (this.#minutes.size > COMPACT_ABOVE) this.#compact(minute);
  }

  /** How many buckets are held (minutes, hours and days together). */
  get size(): number {
    return this.#minutes.size;
  }

  /** Folds minutes older than 2 days into their hour and hours older than 60 days into their day. */
  #compact(newest: number): void {
    for (const [start, models] of [...this.#minutes]) {
      const age = newest - start;
      const into =
        age > KEEP_HOURS_MS
          ? Math.floor(start / DAY_MS) * DAY_MS
          : age > KEEP_MINUTES_MS
            ? Math.floor(start / HOUR_MS) * HOUR_MS
            : start;
      if (into === start) continue;
      this.#minutes.delete(start);
      let target = this.#minutes.get(into);
      if (!target) {
        target = new Map();
        this.#minutes.set(into, target);
      }
      for (const [model, usage] of models) {
        const existing = target.get(model);
        if (existing) mergeUsage(existing, usage);
        else target.set(model, usage);
      }
    }
  }

  /** The non-empty buckets of `bucketSeconds` (a whole number of minutes), oldest first, from `since`. */
  series(options: UsageSeriesOptions): UsageHistorySeries {
    return seriesOf(this.#minutes, options);
  }
}

export interface UsageSeriesOptions {
  bucketSeconds: number;
  since?: Date;
}

/**
 * Buckets of `bucketSeconds` (a whole number of minutes) from held buckets (minutes, or minutes folded into
 * hours and days), each keyed by its start in ms and holding usage per `provider/model`.
 */
export function seriesOf(
  held: Iterable<[number, Map<string, Usage>]>,
  options: UsageSeriesOptions,
): UsageHistorySeries {
  const bucketMs = Math.max(1, Math.round(options.bucketSeconds / 60)) * MINUTE_MS;
  const since = options.since?.getTime() ?? -Infinity;
  const buckets = new Map<number, { total: Usage; byModel: Record<string, Usage> }>();
  for (const [minute, models] of [...held].sort((a, b) => a[0] - b[0])) {
    if (minute + MINUTE_MS <= since) continue;
    const start = Math.floor(minute / bucketMs) * bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { total: emptyUsage(), byModel: {} };
      buckets.set(start, bucket);
    }
    for (const [model, usage] of models) {
      mergeUsage(bucket.total, usage);
      bucket.byModel[model] ??= emptyUsage();
      mergeUsage(bucket.byModel[model], usage);
    }
  }
  return {
    bucketSeconds: bucketMs / 1000,
    buckets: [...buckets].map(([start, bucket]) => ({ start: new Date(start).toISOString(), ...bucket })),
  };
}

function addTo(usage: Usage, entry: LedgerEntry): void {
  mergeUsage(usage, {
    calls: 1,
    promptTokens: entry.promptTokens,
    completionTokens: entry.completionTokens,
    costUsd: entry.costUsd,
    ...(entry.costUnknown ? { costUnknown: true } : {}),
  });
}

/** Adds `usage` into `into`. */
export function mergeUsage(into: Usage, usage: Usage): void {
  into.calls += usage.calls;
  into.promptTokens += usage.promptTokens;
  into.completionTokens += usage.completionTokens;
  into.costUsd = addUsd(into.costUsd, usage.costUsd);
  if (usage.costUnknown) into.costUnknown = true;
}
