import type { Clock } from './clock.js';
import type { LedgerEntry } from './cost-ledger.js';
import type { GateState } from './limit-gate.js';
import type { LimitSample, ProviderHealthState, ProviderLimitHistory } from '../types/provider-limits.js';
import { MinuteWindow } from './minute-window.js';

/** @default 5000: how often each provider's limiter is sampled. */
export const SAMPLE_INTERVAL_MS = 5_000;
/** @default 15 minutes of samples are kept. */
export const SAMPLE_KEEP_MS = 15 * 60_000;

/** A provider's state as the gateway reports it (`Gateway.providersState()`). */
export type ProviderState = { name: string; type: string } & Partial<GateState> & {
    queued?: number;
    health?: ProviderHealthState;
  };

/**
 * What each provider's limiter did over the last minutes, for the dashboard: every `intervalMs` it samples
 * the limiter state (in flight, queue, pause) together with the ledger's calls of the minute before (requests,
 * tokens, waits, 429s). Fixed memory: `keepMs / intervalMs` samples and a `MinuteWindow` per provider.
 */
export class LimitHistory {
  readonly #clock: Clock;
  readonly #providers: () => ProviderState[];
  readonly #intervalMs: number;
  readonly #keep: number;
  readonly #samples = new Map<string, LimitSample[]>();
  readonly #recent = new Map<string, MinuteWindow>();
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
    let recent = this.#recent.get(entry.provider);
    if (!recent) {
      recent = new MinuteWindow();
      this.#recent.set(entry.provider, recent);
    }
    recent.add(this.#clock.now(), {
      tokens: entry.promptTokens + entry.completionTokens,
      waitedMs: entry.waitedMs,
      rateLimited: entry.rateLimited,
    });
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
    const { requests, tokens } = this.#lastMinute(provider);
    return { requests, tokens };
  }

  #lastMinute(provider: string) {
    return (this.#recent.get(provider) ?? new MinuteWindow()).totals(this.#clock.now());
  }

  #take(state: ProviderState): LimitSample {
    const minute = this.#lastMinute(state.name);
    return {
      at: new Date(this.#clock.now()).toISOString(),
      requests: minute.requests,
      tokens: minute.tokens,
      rpmLimit: state.limits?.rpm ?? null,
      tpmLimit: state.limits?.tpm ?? null,
      inFlight: state.inFlight ?? 0,
      queued: state.queued ?? 0,
      waitedMs: Math.round(minute.waitedMs),
      rateLimited: minute.rateLimited,
      pausedUntil: state.pausedUntil ?? null,
    };
  }
}
