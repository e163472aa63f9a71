import type { LimitsConfig } from '../config/schema.js';
import type { LearnedLimits, ProviderLimitValues } from '../types/provider-limits.js';
import type { Clock } from './clock.js';
import type { RateLimitReading } from './rate-limit-headers.js';
import { TokenBucket } from './token-bucket.js';

/** Why a request is waiting. */
export type WaitReason = 'paused' | 'tokens' | 'requests' | 'concurrency';

const MINUTE_MS = 60_000;
/** Providers may enforce a minute's limit over a few seconds; absent a setting, assume 3. */
const DEFAULT_BURST_SECONDS = 3;
/**
 * Added to every timed wait. Our bucket and the provider's refill at the same rate, so a request that needs
 * the provider's whole window arrives exactly as its bucket fills: a tie that clock granularity (1 ms) and
 * timer jitter lose about half the time. A few milliseconds of margin turn those ties into admissions.
 */
export const SAFETY_MARGIN_MS = 5;
/** Lowest share of the limit the pace drops to after 429s. */
const MIN_PACE = 0.5;

/**
 * One set of limits (a provider's, or one model's): requests and tokens per minute as buckets, requests in
 * flight with an additive-increase/multiplicative-decrease cap, and a pause after a 429. Configured limits
 * are used as given; absent ones are learned from the provider's headers and 429 texts.
 */
export class LimitGate {
  readonly #clock: Clock;
  readonly #configured: LimitsConfig;
  readonly #burstSeconds: number;
  #rpm: number | undefined;
  #tpm: number | undefined;
  #requests: TokenBucket | undefined;
  #tokens: TokenBucket | undefined;
  /** The in-flight cap now in force: lowered on 429s, raised back one step per window of successes. */
  #concurrencyCap: number;
  #successesSinceRaise = 0;
  #inFlight = 0;
  #pausedUntil = 0;
  /** Share of the per-minute rate in use: lowered on 429s, recovered on successes. */
  #pace = 1;
  /** Running total of tokens taken, so a header reading can discount what was sent after it. */
  #tokensDispatched = 0;

  constructor(limits: LimitsConfig, clock: Clock) {
    this.#clock = clock;
    this.#configured = limits;
    this.#burstSeconds = limits.burstSeconds ?? DEFAULT_BURST_SECONDS;
    this.#concurrencyCap = limits.concurrency ?? Number.POSITIVE_INFINITY;
    this.#setRpm(limits.rpm);
    this.#setTpm(limits.tpm);
  }

  /** Milliseconds until a request of `tokens` may go, and why; `Infinity` while the in-flight cap is full. */
  wait(tokens: number): { ms: number; reason: WaitReason } | undefined {
    const now = this.#clock.now();
    if (this.#pausedUntil > now) return { ms: this.#pausedUntil - now, reason: 'paused' };
    if (this.#inFlight >= this.#concurrencyCap) return { ms: Number.POSITIVE_INFINITY, reason: 'concurrency' };
    const requestWait = this.#requests?.waitFor(1) ?? 0;
    if (requestWait > 0) return { ms: requestWait + SAFETY_MARGIN_MS, reason: 'requests' };
    const tokenWait = this.#tokens?.waitFor(tokens) ?? 0;
    if (tokenWait > 0) return { ms: tokenWait + SAFETY_MARGIN_MS, reason: 'tokens' };
    return undefined;
  }

  /** Takes a request's reservation. Returns the dispatch mark that `observe` uses. */
  admit(tokens: number): number {
    this.#inFlight += 1;
    this.#requests?.take(1);
    this.#tokens?.take(tokens);
    const mark = this.#tokensDispatched;
    this.#tokensDispatched += tokens;
    return mark;
  }

  /** A request is no longer in flight. `refund` gives back reserved tokens the provider did not charge. */
  release(refund: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (refund > 0) this.#tokens?.give(refund);
    else if (refund < 0) this.#tokens?.take(-refund);
  }

  /** A request succeeded: recover pace and the in-flight cap step by step. */
  recordSuccess(): void {
    this.#pace = Math.min(1, this.#pace + 0.05);
    const ceiling = this.#configured.concurrency ?? Number.POSITIVE_INFINITY;
    if (this.#concurrencyCap >= ceiling) return;
    this.#successesSinceRaise += 1;
    if (this.#successesSinceRaise >= this.#concurrencyCap) {
      this.#successesSinceRaise = 0;
      this.#concurrencyCap += 1;
      // Unknown limit: once well above what was in flight when throttled, stop capping at all.
      if (ceiling === Number.POSITIVE_INFINITY && this.#concurrencyCap > 64) this.#concurrencyCap = ceiling;
    }
    this.#applyPace();
  }

  /**
   * A 429: pause until the provider's hint (else `fallbackMs`), halve the in-flight cap, slow the pace, and
   * treat the token bucket as empty: the provider just said so.
   */
  recordRateLimited(pauseMs: number, learned: { tpm?: number; rpm?: number }): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + pauseMs);
    const base = Number.isFinite(this.#concurrencyCap) ? this.#concurrencyCap : Math.max(1, this.#inFlight);
    this.#concurrencyCap = Math.max(1, Math.floor(base / 2));
    this.#successesSinceRaise = 0;
    if (learned.tpm !== undefined && this.#configured.tpm === undefined) this.#setTpm(learned.tpm);
    if (learned.rpm !== undefined && this.#configured.rpm === undefined) this.#setRpm(learned.rpm);
    this.#pace = Math.max(MIN_PACE, this.#pace * 0.8);
    this.#applyPace();
    this.#tokens?.clampTo(0);
  }

  /**
   * Aligns with the provider's view from a response's headers: learns unconfigured limits, and lowers our
   * levels to what the provider says remains, minus what we sent after this request (it may not have counted
   * those yet). Levels are only ever lowered here: the buckets refill on their own.
   */
  observe(reading: RateLimitReading, dispatchMark: number, ownTokens: number): void {
    if (reading.tokens.limit !== undefined && this.#configured.tpm === undefined && reading.tokens.limit !== this.#tpm)
      this.#setTpm(reading.tokens.limit);
    if (
      reading.requests.limit !== undefined &&
      this.#configured.rpm === undefined &&
      reading.requests.limit !== this.#rpm
    )
      this.#setRpm(reading.requests.limit);
    if (reading.tokens.remaining !== undefined && this.#tokens) {
      const sentAfter = this.#tokensDispatched - dispatchMark - ownTokens;
      this.#tokens.clampTo(reading.tokens.remaining - Math.max(0, sentAfter));
    }
    if (reading.requests.remaining !== undefined && this.#requests) this.#requests.clampTo(reading.requests.remaining);
  }

  /** A snapshot for `/v1/providers` and `agentd status`. */
  state(): GateState {
    const now = this.#clock.now();
    return {
      limits: { rpm: this.#rpm ?? null, tpm: this.#tpm ?? null, concurrency: this.#configured.concurrency ?? null },
      learned: {
        rpm: this.#configured.rpm === undefined && this.#rpm !== undefined,
        tpm: this.#configured.tpm === undefined && this.#tpm !== undefined,
      },
      inFlight: this.#inFlight,
      concurrencyCap: Number.isFinite(this.#concurrencyCap) ? this.#concurrencyCap : null,
      tokensAvailable: this.#tokens ? Math.floor(this.#tokens.level()) : null,
      requestsAvailable: this.#requests ? Math.floor(this.#requests.level()) : null,
      pace: Math.round(this.#pace * 100) / 100,
      pausedUntil: this.#pausedUntil > now ? new Date(this.#pausedUntil).toISOString() : null,
    };
  }

  #setTpm(tpm: number | undefined): void {
    this.#tpm = tpm;
    this.#tokens = this.#bucket(tpm, this.#tokens);
  }

  #setRpm(rpm: number | undefined): void {
    this.#rpm = rpm;
    this.#requests = this.#bucket(rpm, this.#requests);
  }

  #bucket(perMinute: number | undefined, existing: TokenBucket | undefined): TokenBucket | undefined {
    if (perMinute === undefined) return undefined;
    const rate = (perMinute * this.#pace) / MINUTE_MS;
    const capacity = Math.max(1, (perMinute * this.#burstSeconds) / 60);
    if (existing) {
      existing.reconfigure(rate, capacity);
      return existing;
    }
    return new TokenBucket(rate, capacity, this.#clock);
  }

  #applyPace(): void {
    if (this.#tokens && this.#tpm !== undefined)
      this.#tokens.reconfigure((this.#tpm * this.#pace) / MINUTE_MS, this.#tokens.capacity);
    if (this.#requests && this.#rpm !== undefined)
      this.#requests.reconfigure((this.#rpm * this.#pace) / MINUTE_MS, this.#requests.capacity);
  }
}

export interface GateState {
  limits: ProviderLimitValues;
  learned: LearnedLimits;
  inFlight: number;
  concurrencyCap: number | null;
  tokensAvailable: number | null;
  requestsAvailable: number | null;
  pace: number;
  pausedUntil: string | null;
}
