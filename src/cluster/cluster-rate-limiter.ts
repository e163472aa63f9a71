import { randomUUID } from 'node:crypto';
import type { LimitsConfig } from '../config/schema.js';
import { FairQueue } from '../gateway/fair-queue.js';
import type { GateState, WaitReason } from '../gateway/limit-gate.js';
import type { AcquireOptions, Lease, Limiter, LimiterState } from '../gateway/limiter.js';
import { type QueuedRequest, queueRequest } from '../gateway/queued-request.js';
import type { RateLimitReading } from '../gateway/rate-limit-headers.js';
import type { Logger } from '../logger.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { gateConfig, type GateConfig, type GateKeys, type SettleOutcome, type SharedLimits } from './shared-limits.js';

/** Longest sleep between two looks at Redis: other members free slots without telling us. */
const POLL_MS = 25;
/** Longest a waiting head request sleeps, so that its place in the cross-member queue stays fresh. */
const MAX_SLEEP_MS = 1_000;
/** A member's waiting request not seen for this long loses its place (its member died). */
const WAITER_STALE_MS = 5_000;
/** Entries past the head tried for a model-only wait before sleeping. */
const LOOKAHEAD = 8;

interface Gate {
  keys: GateKeys;
  config: GateConfig;
}

interface Pending extends QueuedRequest {
  gates: Gate[];
  enqueuedAt: number;
  waiter: string;
  lastReason: WaitReason | 'queue' | undefined;
}

export interface ClusterRateLimiterOptions {
  provider: string;
  limits: LimitsConfig & { models?: Record<string, LimitsConfig> | undefined };
  shared: SharedLimits;
  keeper: LeaseKeeper;
  logger: Logger;
}

/**
 * A provider's limiter in cluster mode: the limits live in Redis (SharedLimits), shared by every member. This
 * member's own requests wait in a local fair queue across runs, as with `RateLimiter`; its head asks Redis for
 * admission, which is first come, first served across members for the provider's gate. Every admission is a
 * lease that expires unless renewed, so a member that dies frees its slots within seconds. While Redis is
 * lost, nothing is admitted (no limit can be exceeded for want of it) and requests wait, up to the
 * connection's bound.
 */
export class ClusterRateLimiter implements Limiter {
  readonly #provider: string;
  readonly #shared: SharedLimits;
  readonly #keeper: LeaseKeeper;
  readonly #logger: Logger;
  readonly #providerGate: Gate;
  readonly #modelLimits: Readonly<Record<string, LimitsConfig>>;
  readonly #queue = new FairQueue<Pending>();
  readonly #memberTag = randomUUID();
  #pumping = false;
  /** Something changed while the pump was asking Redis: ask again before sleeping. */
  #dirty = false;
  #wake: (() => void) | undefined;
  #state: LimiterState;

  constructor(options: ClusterRateLimiterOptions) {
    const { models, ...providerLimits } = options.limits;
    this.#provider = options.provider;
    this.#shared = options.shared;
    this.#keeper = options.keeper;
    this.#logger = options.logger;
    this.#providerGate = { keys: options.shared.gateKeys(options.provider), config: gateConfig(providerLimits) };
    this.#modelLimits = models ?? {};
    this.#state = { ...emptyState(this.#providerGate.config), queued: 0, models: {} };
  }

  acquire(options: AcquireOptions): Promise<Lease> {
    const retryStart = options.retryOf instanceof ClusterLease ? options.retryOf.start : undefined;
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
        enqueuedAt: Date.now(),
        start: 0,
        waiter: `${this.#memberTag}:${randomUUID()}`,
        lastReason: undefined,
      }),
      () => this.#nudge(),
    );
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** The last state read from Redis (refreshed by `refreshState`), with this member's queue. */
  state(): LimiterState {
    return { ...this.#state, queued: this.#queue.size };
  }

  /** Reads the shared state of the provider's gate and of the models with their own limits. */
  async refreshState(): Promise<void> {
    const models: Record<string, GateState> = {};
    for (const model of Object.keys(this.#modelLimits)) {
      const gate = this.#gatesFor(model)[1];
      if (gate) models[model] = await this.#shared.state(gate.keys, gate.config);
    }
    this.#state = {
      ...(await this.#shared.state(this.#providerGate.keys, this.#providerGate.config)),
      queued: this.#queue.size,
      models,
    };
  }

  #gatesFor(model: string): Gate[] {
    const limits = this.#modelLimits[model];
    if (!limits) return [this.#providerGate];
    return [this.#providerGate, { keys: this.#shared.gateKeys(this.#provider, model), config: gateConfig(limits) }];
  }

  /** Wakes the pump, or starts it. */
  #nudge(): void {
    if (this.#wake) this.#wake();
    else if (this.#pumping) this.#dirty = true;
    else void this.#pump();
  }

  /** Admits queued requests one at a time, in fair order, sleeping while none may go. One pump at a time. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.size > 0) {
        let sleepMs: number;
        this.#dirty = false;
        try {
          sleepMs = await this.#tryNext();
        } catch (error) {
          this.#failQueued(error);
          continue;
        }
        if (sleepMs > 0 && !this.#dirty) await this.#sleep(sleepMs);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Admits the first request that may go (0), or says how long to sleep before asking again. */
  async #tryNext(): Promise<number> {
    let sleepMs = Number.POSITIVE_INFINITY;
    for (const pending of this.#queue.ordered().slice(0, LOOKAHEAD)) {
      const connection = this.#shared.connection;
      const leaseId = randomUUID();
      const result = await connection.run(() =>
        this.#shared.tryAdmit(this.#provider, pending.gates, {
          tokens: pending.options.tokens,
          lease: leaseId,
          waiter: pending.waiter,
          leaseTtlMs: this.#keeper.leaseTtlMs,
          staleMs: WAITER_STALE_MS,
        }),
      );
      if (result.admitted) {
        for (const gate of pending.gates) this.#keeper.add(gate.keys.leases, leaseId);
        const lease = new ClusterLease(this, pending, leaseId, result.marks);
        // Cancelled while Redis answered: give the slot straight back.
        if (!this.#queue.take(pending)) lease.failed();
        else this.#dispatch(pending, lease);
        return 0;
      }
      pending.lastReason = result.reason;
      sleepMs = Math.min(sleepMs, result.ms);
      if (result.scope === 'provider') break;
    }
    return Math.min(Number.isFinite(sleepMs) ? sleepMs : POLL_MS, MAX_SLEEP_MS);
  }

  #dispatch(pending: Pending, lease: ClusterLease): void {
    if (pending.onAbort) pending.options.signal?.removeEventListener('abort', pending.onAbort);
    pending.resolve(lease);
  }

  /** Redis stayed away longer than work may wait: every queued request fails with the connection's error. */
  #failQueued(error: unknown): void {
    this.#logger.error(
      { err: error, provider: this.#provider, queued: this.#queue.size },
      'cluster: queued LLM calls failed, Redis unreachable',
    );
    for (const pending of this.#queue.ordered()) {
      this.#queue.remove(pending);
      if (pending.onAbort) pending.options.signal?.removeEventListener('abort', pending.onAbort);
      pending.reject(error);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** @internal Called by a lease when it settles. */
  settle(pending: Pending, lease: ClusterLease, outcome: SettleOutcome): void {
    const connection = this.#shared.connection;
    connection
      .run(() =>
        this.#shared.settle(pending.gates, { id: lease.id, tokens: lease.tokens, marks: lease.marks }, outcome),
      )
      .catch((error: unknown) => {
        // The lease expires by itself; its tokens stay spent, which errs on the side of the limit.
        this.#logger.warn(
          { err: error, provider: this.#provider },
          'cluster: a lease could not be settled; it will expire',
        );
      })
      .finally(() => {
        for (const gate of pending.gates) this.#keeper.remove(gate.keys.leases, lease.id);
        this.#nudge();
      });
  }
}

class ClusterLease implements Lease {
  readonly tokens: number;
  readonly waitedMs: number;
  readonly waitReason: WaitReason | 'queue' | undefined;
  readonly start: number;
  readonly id: string;
  readonly marks: number[];
  readonly #limiter: ClusterRateLimiter;
  readonly #pending: Pending;
  #settled = false;

  constructor(limiter: ClusterRateLimiter, pending: Pending, id: string, marks: number[]) {
    this.#limiter = limiter;
    this.#pending = pending;
    this.id = id;
    this.marks = marks;
    this.tokens = pending.options.tokens;
    this.start = pending.start;
    this.waitedMs = Date.now() - pending.enqueuedAt;
    this.waitReason = pending.lastReason ?? (this.waitedMs > 0 ? 'queue' : undefined);
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

  #settle(outcome: SettleOutcome): void {
    // Settling twice would free a slot twice.
    if (this.#settled) return;
    this.#settled = true;
    this.#limiter.settle(this.#pending, this, outcome);
  }
}

function emptyState(config: GateConfig): GateState {
  return {
    limits: { rpm: config.rpm ?? null, tpm: config.tpm ?? null, concurrency: config.concurrency ?? null },
    learned: { rpm: false, tpm: false },
    inFlight: 0,
    concurrencyCap: config.concurrency ?? null,
    tokensAvailable: null,
    requestsAvailable: null,
    pace: 1,
    pausedUntil: null,
  };
}
