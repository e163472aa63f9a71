import type { LimitsConfig } from '../config/schema.js';
import type { GateState, WaitReason } from './limit-gate.js';
import type { RateLimitReading } from './rate-limit-headers.js';
import type { CancelSignal } from './cancel-signal.js';

/** What a caller asks the limiter for. */
export interface AcquireOptions {
  /** Whose request this is (a run id, or an API client): fairness is across flows. */
  flow: string;
  /** The provider's model id, for per-model limits. */
  model: string;
  /** Tokens to reserve: estimated prompt plus max output tokens. */
  tokens: number;
  signal?: CancelSignal | undefined;
  /** A retry keeps the place in the queue of the attempt it retries. */
  retryOf?: Lease | undefined;
}

/** A granted reservation. Exactly one of the settle methods must be called when the call ends. */
export interface Lease {
  readonly tokens: number;
  /** Milliseconds spent queued, and the last reason for it. */
  readonly waitedMs: number;
  readonly waitReason: WaitReason | 'queue' | undefined;
  /** The provider answered. `chargedTokens` is what it counted against its limit; headers sync our state. */
  succeeded(chargedTokens: number, reading?: RateLimitReading): void;
  /** The provider answered 429: pause for `pauseMs`; the tokens were not charged. */
  rateLimited(pauseMs: number, learned: { tpm?: number; rpm?: number }, reading?: RateLimitReading): void;
  /** The call failed or was cancelled without being charged: the whole reservation is refunded. */
  failed(): void;
}

/** A limiter's state for `/v1/providers` and `agentd status`. */
export type LimiterState = GateState & { queued: number; models: Record<string, GateState> };

/**
 * The limits of one provider, shared by every run and API client that calls it. `RateLimiter` keeps them in
 * the process (the default); cluster mode keeps them in Redis, shared by every member.
 */
export interface Limiter {
  /** Waits for room and reserves it. Rejects with AbortError if the signal fires while queued. */
  acquire(options: AcquireOptions): Promise<Lease>;
  /** Requests waiting to be dispatched here. */
  readonly queued: number;
  state(): LimiterState;
}

/** Builds the limiter of one provider from its configured limits. */
export type LimiterFactory = (
  provider: string,
  limits: LimitsConfig & { models?: Record<string, LimitsConfig> | undefined },
) => Limiter;
