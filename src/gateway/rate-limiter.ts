import type { LimitsConfig } from '../config/schema.js';
import type { Clock } from './clock.js';
import { FairQueue } from './fair-queue.js';
import { LimitGate, type GateState, type WaitReason } from './limit-gate.js';
import type { AcquireOptions, Lease, Limiter, LimiterState } from './limiter.js';
import { type QueuedRequest, queueRequest } from './queued-request.js';
import type { RateLimitReading } from './rate-limit-headers.js';

/** The types live apart from this implementation; callers may import them from here. */
export type { AcquireOptions, Lease } from './limiter.js';

interface Pending extends QueuedRequest {
  gates: LimitGate[];
  enqueuedAt: number;
  lastReason: WaitReason | undefined;
}

/**
 * The shared limiter of one provider: every request of every run and API client for this provider waits
 * here. It dispatches in fair order across flows, and only when the provider's gate and the model's gate
 * (if the model has its own limits) both have room.
 */
export class RateLimiter implements Limiter {
  readonly #clock: Clock;
  readonly #gate: LimitGate;
  readonly #modelLimits: Readonly<Record<string, LimitsConfig>>;
  readonly #modelGates = new Map<string, LimitGate>();
  readonly #queue = new FairQueue<Pending>();
  #timer: unknown;
  #timerAt = 0;

  constructor(limits: LimitsConfig & { models?: Record<string, LimitsConfig> | undefined }, clock: Clock) {
    const { models, ...providerLimits } = limits;
    this.#clock = clock;
    this.#gate = new LimitGate(providerLimits, clock);
    this.#modelLimits = models ?? {};
  }

  /** Waits for room and reserves it. Rejects with AbortError if the signal fires while queued. */
  acquire(options: AcquireOptions): Promise<Lease> {
    const retryStart = options.retryOf ? (options.retryOf as LeaseImpl).start : undefined;
    return queueRequest(
      this.#queue,
      options,
      retryStart,
      // Field by field, not `{ ...settle, options, ... }`: see `queueRequest` on spreads in a call's path.
      (settle) => ({
        resolve: settle.resolve,
        reject: settle.reject,
        options,
        gates: this.#gatesFor(options.model),
        enqueuedAt: this.#clock.now(),
        start: 0,
        lastReason: undefined,
      }),
      () => this.#pump(),
    );
  }

  /** Requests waiting to be dispatched. */
  get queued(): number {
    return this.#queue.size;
  }

  state(): LimiterState {
    const models: Record<string, GateState> = {};
    for (const [model, gate] of this.#modelGates) models[model] = gate.state();
    return { ...this.#gate.state(), queued: this.#queue.size, models };
  }

  #gatesFor(model: string): LimitGate[] {
    const limits = this.#modelLimits[model];
    if (!limits) return [this.#gate];
    let gate = this.#modelGates.get(model);
    if (!gate) {
      gate = new LimitGate(limits, this.#clock);
      this.#modelGates.set(model, gate);
    }
    return [this.#gate, gate];
  }

  /**
   * Dispatches what fits now, in fair order, then sleeps until the next request might. The provider's own
   * gate is strictly first come in fair order: when the head waits for it, so does everyone behind (a large
   * request is never starved by small ones slipping past). A request waiting only for its model's own limit
   * lets requests for other models go ahead of it.
   */
  #pump(): void {
    for (;;) {
      let wake: number | undefined;
      let next: Pending | undefined;
      for (const pending of this.#queue.ordered()) {
        const providerWait = pending.gates[0]?.wait(pending.options.tokens);
        if (providerWait) {
          pending.lastReason = providerWait.reason;
          // Concurrency frees up on a release, which pumps again; any other wait has a known end.
          if (Number.isFinite(providerWait.ms)) wake = Math.min(wake ?? Number.POSITIVE_INFINITY, providerWait.ms);
          break;
        }
        const modelWait = this.#longestWait(pending, pending.gates.slice(1));
        if (!modelWait) {
          next = pending;
          break;
        }
        pending.lastReason = modelWait.reason;
        if (Number.isFinite(modelWait.ms)) wake = Math.min(wake ?? Number.POSITIVE_INFINITY, modelWait.ms);
      }
      if (!next) {
        this.#sleep(wake);
        return;
      }
      this.#queue.take(next);
      this.#dispatch(next);
    }
  }

  #longestWait(pending: Pending, gates: LimitGate[]): { ms: number; reason: WaitReason } | undefined {
    let longest: { ms: number; reason: WaitReason } | undefined;
    for (const gate of gates) {
      const wait = gate.wait(pending.options.tokens);
      if (wait && (!longest || wait.ms > longest.ms)) longest = wait;
    }
    return longest;
  }

  #dispatch(pending: Pending): void {
    if (pending.onAbort) pending.options.signal?.removeEventListener('abort', pending.onAbort);
    const marks = pending.gates.map((gate) => gate.admit(pending.options.tokens));
    const waitedMs = this.#clock.now() - pending.enqueuedAt;
    const reason = pending.lastReason ?? (waitedMs > 0 ? 'queue' : undefined);
    pending.resolve(new LeaseImpl(this, pending, marks, waitedMs, reason));
  }

  #sleep(ms: number | undefined): void {
    if (ms === undefined) {
      if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      return;
    }
    const at = this.#clock.now() + ms;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(1, ms),
    );
  }

  /** @internal Called by a lease when it settles. */
  settle(pending: Pending, marks: number[], outcome: Outcome): void {
    pending.gates.forEach((gate, index) => {
      if (outcome.kind === 'success') {
        gate.release(pending.options.tokens - outcome.chargedTokens);
        if (outcome.reading) gate.observe(outcome.reading, marks[index] ?? 0, outcome.chargedTokens);
        gate.recordSuccess();
      } else if (outcome.kind === 'rate-limited') {
        gate.release(pending.options.tokens);
        if (outcome.reading) gate.observe(outcome.reading, marks[index] ?? 0, 0);
        // Only the gate that is actually limited needs the pause; the provider-wide one is the safe choice
        // when we cannot tell which, which is always the case for index 0.
        if (index === 0) gate.recordRateLimited(outcome.pauseMs, outcome.learned);
      } else {
        gate.release(pending.options.tokens);
      }
    });
    this.#pump();
  }
}

type Outcome =
  | { kind: 'success'; chargedTokens: number; reading: RateLimitReading | undefined }
  | {
      kind: 'rate-limited';
      pauseMs: number;
      learned: { tpm?: number; rpm?: number };
      reading: RateLimitReading | undefined;
    }
  | { kind: 'failed' };

class LeaseImpl implements Lease {
  readonly tokens: number;
  readonly waitedMs: number;
  readonly waitReason: WaitReason | 'queue' | undefined;
  readonly start: number;
  readonly #limiter: RateLimiter;
  readonly #pending: Pending;
  readonly #marks: number[];
  #settled = false;

  constructor(
    limiter: RateLimiter,
    pending: Pending,
    marks: number[],
    waitedMs: number,
    reason: WaitReason | 'queue' | undefined,
  ) {
    this.#limiter = limiter;
    this.#pending = pending;
    this.#marks = marks;
    this.tokens = pending.options.tokens;
    this.start = pending.start;
    this.waitedMs = waitedMs;
    this.waitReason = reason;
  }

  succeeded(chargedTokens: number, reading?: RateLimitReading): void {
    this.#settle({ kind: 'success', chargedTokens, reading });
  }

  rateLimited(pauseMs: number, learned: { tpm?: number; rpm?: number }, reading?: RateLimitReading): void {
    this.#settle({ kind: 'rate-limited', pauseMs, learned, reading });
  }

  failed(): void {
    this.#settle({ kind: 'failed' });
  }

  #settle(outcome: Outcome): void {
    // Settling twice would free a slot twice and let one request too many into flight.
    if (this.#settled) return;
    this.#settled = true;
    this.#limiter.settle(this.#pending, this.#marks, outcome);
  }
}
