import type { Clock } from './clock.js';
import type { LedgerEntry } from './cost-ledger.js';
import type { GateState } from './limit-gate.js';
import type { LimitSample, ProviderHealthState, ProviderLimitHistory } from '../types/provider-limits.js';

/** @default 5000: how often each provider's limiter is sampled. */
export const SAMPLE_INTERVAL_MS = 5_000;
/** @default 15 minutes of samples are kept. */
export const SAMPLE_KEEP_MS = 15 * 60_000;
const MINUTE_MS = 60_000;

/** A provider's state as the gateway reports it (`Gateway.providersState()`). */
export type ProviderState = { name: string; type: string } & Partial<GateState> & {
    queued?: number;
    health?: ProviderHealthState;
  };

interface CallMark {
  at: number;
  tokens: number;
  waitedMs: number;
  rateLimited: number;
}

/**
 * What each provider's limiter did over the last minutes, for the dashboard: every `intervalMs` it samples
 * the limiter state (in flight, queue, pause) together with the ledger's calls of the minute before (requests,
 * tokens, waits, 429s). Fixed memory: `keepMs / intervalMs` samples per provider.
 */
export class LimitHistory {
  readonly #clock: Clock;
  readonly #providers: () => ProviderState[];
  readonly #intervalMs: number;
  readonly #keep: number;
  readonly #samples = new Map<string, LimitSample[]>();
  readonly #recent = new Map<string, CallMark[]>();
  readonly #totals = new Map<string, ProviderLimitHistory['totals']>();
  #timer: unknown;

  constructor(options: { clock: Clock; providers: () => ProviderState[]; intervalMs?: number; keepMs?: number }) {
    this.#clock = options.clock;
    this.#providers = options.providers;
    this.#intervalMs = options.intervalMs ?? SAMPLE_INTERVAL_MS;
    this.#keep = Math.ceil((options.keepMs ?? SAMPLE_KEEP_MS) / this.#intervalMs);
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Counts a call the ledger recorded (cached replays used no limit and are left out). */
  record(entry: LedgerEntry): void {
    if (entry.cached) return;
    const marks = this.#recent.get(entry.provider) ?? [];
    marks.push({
      at: this.#clock.now(),
      tokens: entry.promptTokens + entry.completionTokens,
      waitedMs: entry.waitedMs,
      rateLimited: entry.rateLimited,
    });
    this.#recent.set(entry.provider, marks);
    const totals = this.#totals.get(entry.provider) ?? { calls: 0, rateLimited: 0, waitedMs: 0 };
    totals.calls += 1;
    totals.rateLimited += entry.rateLimited;
    totals.waitedMs += entry.waitedMs;
    this.#totals.set(entry.provider, totals);
  }

  /** Samples every provider now and keeps the sample. */
  sample(): void {
    for (const state of this.#providers()) {
      const samples = this.#samples.get(state.name) ?? [];
      samples.push(this.#take(state));
      if (samples.length > this.#keep) samples.splice(0, samples.length - this.#keep);
      this.#samples.set(state.name, samples);
    }
  }

  /** Samples every `intervalMs` until `stop()`; the timer never keeps the process alive. */
  start(): void {
    const tick = () => {
      this.sample();
      this.#timer = this.#clock.setTimeout(tick, this.#intervalMs);
    };
    this.#timer = this.#clock.setTimeout(tick, this.#intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Each provider's kept samples plus one taken now. */
  snapshot(): ProviderLimitHistory[] {
    return this.#providers().map((state) => ({
      name: state.name,
      type: state.type,
      limits: state.limits ?? null,
      concurrencyCap: state.concurrencyCap ?? null,
      pace: state.pace ?? null,
      learned: state.learned ?? null,
      health: state.health ?? null,
      totals: { ...(this.#totals.get(state.name) ?? { calls: 0, rateLimited: 0, waitedMs: 0 }) },
      samples: [...(this.#samples.get(state.name) ?? []), this.#take(state)],
    }));
  }

  /** This daemon's calls to `provider` answered in the last minute, and their tokens: what its limits have used. */
  lastMinute(provider: string): { requests: number; tokens: number } {
    const marks = this.#lastMinuteMarks(provider);
    return { requests: marks.length, tokens: marks.reduce((total, mark) => total + mark.tokens, 0) };
  }

  #lastMinuteMarks(provider: string): CallMark[] {
    const now = this.#clock.now();
    const marks = (this.#recent.get(provider) ?? []).filter((mark) => mark.at > now - MINUTE_MS);
    this.#recent.set(provider, marks);
    return marks;
  }

  #take(state: ProviderState): LimitSample {
    const marks = this.#lastMinuteMarks(state.name);
    const sum = (pick: (mark: CallMark) => number) => marks.reduce((total, mark) => total + pick(mark), 0);
    return {
      at: new Date(this.#clock.now()).toISOString(),
      requests: marks.length,
      tokens: sum((mark) => mark.tokens),
      rpmLimit: state.limits?.rpm ?? null,
      tpmLimit: state.limits?.tpm ?? null,
      inFlight: state.inFlight ?? 0,
      queued: state.queued ?? 0,
      waitedMs: Math.round(sum((mark) => mark.waitedMs)),
      rateLimited: sum((mark) => mark.rateLimited),
      pausedUntil: state.pausedUntil ?? null,
    };
  }
}
