import { z } from 'zod';
import type { Usage } from '../types/run-record.js';
import type { AppendLog } from '../store/append-log.js';
import { endOfTurn } from '../end-of-turn.js';

/** One LLM call as persisted in `ledger.jsonl`. */
export const ledgerEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  runId: z.string().optional(),
  action: z.string().optional(),
  /** Who called when it was not a run: `api`. */
  client: z.string().optional(),
  provider: z.string(),
  model: z.string(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** The model had no known price: `costUsd` is 0 but not free. */
  costUnknown: z.boolean(),
  latencyMs: z.number().nonnegative(),
  attempts: z.number().int().positive(),
  /** 429s received on the way; each was requeued. */
  rateLimited: z.number().int().nonnegative(),
  waitedMs: z.number().nonnegative(),
  /** Replayed from the cache or a run's persisted steps: no tokens were spent. */
  cached: z.boolean(),
  /**
   * The provider reported no usage: the call was cancelled while the provider had it, or its stream ended early.
   * The tokens (and the cost) are agentd's estimate: the prompt's, and what had streamed.
   */
  estimated: z.literal(true).optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export interface UsageTotals {
  total: Usage;
  byProvider: Record<string, Usage>;
  byModel: Record<string, Usage>;
}

function empty(): Usage {
  return { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
}

/** The usage kept under `key`, created empty on first use. */
function slot(usages: Record<string, Usage>, key: string): Usage {
  const existing = usages[key];
  if (existing) return existing;
  const created = empty();
  usages[key] = created;
  return created;
}

/**
 * `a + b` in USD, to the millionth of a micro-dollar: sums of per-call costs (tokens × price / 10^6) otherwise
 * carry binary noise into every total clients read (`0.007906999999999999` for $0.007907).
 */
export function addUsd(a: number, b: number): number {
  return Math.round((a + b) * 1e12) / 1e12;
}

function add(usage: Usage, entry: LedgerEntry): void {
  usage.calls += 1;
  // Token counts are the providers' reports: an estimated call adds its cost, its estimate stays on its line.
  if (entry.estimated !== true) {
    usage.promptTokens += entry.promptTokens;
    usage.completionTokens += entry.completionTokens;
  }
  usage.costUsd = addUsd(usage.costUsd, entry.costUsd);
  if (entry.costUnknown) usage.costUnknown = true;
}

/**
 * The exact record of what every call cost: one persisted line per call, plus totals kept in memory (per run,
 * per provider, per model). Tokens are the provider's reported counts, never estimates. Cached replays are
 * recorded with zero tokens so they show in the history without counting as spend. A call that ended without
 * the provider's usage (`estimated`) is paid for all the same: it counts as a call and its estimated cost as
 * spend, which budgets read, while the totals' tokens stay the reported ones.
 *
 * A call is counted at once. A run's call is written at once too: its answer is persisted as a step right after,
 * and a step on disk without its ledger line would be replayed by the next start without ever being counted.
 * Any other call (the API's) is written when the event loop's turn ends, with the others that ended in it: one
 * write(2) instead of one each, which took the ledger from 7.6% to 3.3% of the daemon's busy CPU at 3,000
 * proxied calls/s (docs/BENCHMARKS.md). `process.exit` or an uncaught exception still writes those lines
 * ('exit'); a process killed outright (SIGKILL) before the turn ends loses them, with the calls it had in flight.
 */
export class CostLedger {
  readonly #log: AppendLog<unknown> | undefined;
  readonly #totals: UsageTotals = { total: empty(), byProvider: {}, byModel: {} };
  /** Per-run usage, least recently charged first: at most `#maxRuns` entries. */
  readonly #runs = new Map<string, Usage>();
  readonly #maxRuns: number;
  readonly #listeners = new Set<(entry: LedgerEntry) => void>();
  /** Counted entries not on disk yet, oldest first: this turn's, and any the log refused (a full disk). */
  readonly #unwritten: LedgerEntry[] = [];
  #size = 0;
  readonly #writeSoon = endOfTurn(() => this.flush());

  /**
   * @param existing entries already in the log, counted once and not kept.
   * @param options.maxRuns per-run totals kept in memory: the runs charged most recently. An older run's usage
   *   is in its record (written when it finishes) and in the log. @default 10000
   */
  constructor(
    log: AppendLog<unknown> | undefined,
    existing: readonly unknown[] = [],
    options: { maxRuns?: number } = {},
  ) {
    this.#log = log;
    this.#maxRuns = options.maxRuns ?? 10_000;
    for (const raw of existing) {
      const parsed = ledgerEntrySchema.safeParse(raw);
      if (parsed.success) this.#count(parsed.data);
    }
  }

  /**
   * Counts the call and writes its line: now for a run's call, at the end of this turn for any other. The call
   * has been paid whatever the disk says: an entry the log refuses (a full disk) is still counted, kept in
   * memory and written with the next entries, instead of failing the call and losing the answer it paid for
   * (which would then be paid again).
   */
  record(entry: LedgerEntry): void {
    this.#count(entry);
    if (this.#log) {
      this.#unwritten.push(entry);
      if (entry.runId === undefined) this.#writeSoon();
      else this.flush();
    }
    for (const listener of this.#listeners) listener(entry);
  }

  /** Writes the entries not on disk yet, oldest first, all or none; false while the log refuses them. */
  flush(): boolean {
    if (!this.#log || this.#unwritten.length === 0) return true;
    try {
      this.#log.appendAll(this.#unwritten);
      this.#unwritten.length = 0;
      return true;
    } catch {
      return false;
    }
  }

  /** Entries counted but not on disk yet (queued for the turn's end, or refused by the log). */
  get unwritten(): number {
    return this.#unwritten.length;
  }

  /** Calls `listener` with every entry recorded from now on (the dashboard's history); returns the unsubscribe. */
  subscribe(listener: (entry: LedgerEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Entries recorded since start: changes whenever any total may have. */
  get size(): number {
    return this.#size;
  }

  totals(): UsageTotals {
    return structuredClone(this.#totals);
  }

  /** Whether the run's usage is among the per-run totals kept (see `maxRuns`). */
  hasRun(runId: string): boolean {
    return this.#runs.has(runId);
  }

  /** The usage of one run's calls, exactly as the providers reported them. */
  runUsage(runId: string): Usage {
    return { ...(this.#runs.get(runId) ?? empty()) };
  }

  #count(entry: LedgerEntry): void {
    this.#size += 1;
    if (entry.cached) return;
    add(this.#totals.total, entry);
    add(slot(this.#totals.byProvider, entry.provider), entry);
    add(slot(this.#totals.byModel, `${entry.provider}/${entry.model}`), entry);
    if (entry.runId) {
      const usage = this.#runs.get(entry.runId) ?? empty();
      // Re-inserted so that the Map's order is the order of last charge, oldest first.
      this.#runs.delete(entry.runId);
      this.#runs.set(entry.runId, usage);
      add(usage, entry);
      if (this.#runs.size > this.#maxRuns) this.#runs.delete(this.#runs.keys().next().value as string);
    }
  }
}
