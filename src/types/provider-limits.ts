/**
 * What `GET /v1/limits/history` answers: each provider's limiter over the last minutes. Shared by the
 * gateway that samples it and the dashboard that charts it, so the two cannot drift apart.
 */

/** A provider's configured or learned limits; `null` where none is known. */
export interface ProviderLimitValues {
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
}

/** Whether each limit was learned from the provider's `x-ratelimit-*` headers rather than configured. */
export interface LearnedLimits {
  rpm: boolean;
  tpm: boolean;
}

/** Whether a provider works, as its last real calls and checks (model listings) said. */
export interface ProviderHealthState {
  /** `true` after any answer (even an HTTP error), `false` after a connection failure or timeout; `null` before anything was tried. */
  reachable: boolean | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** The last failure's reason, secrets scrubbed (ProviderError messages are). */
  lastFailure: { kind: string; message: string; code: string } | null;
  /** What told us last: a gateway call or a check (the daemon's model listing at start and every few minutes). */
  lastCheckedBy: 'call' | 'check' | null;
}

/** One provider's limiter at one moment; the counts cover the minute before `at`. */
export interface LimitSample {
  at: string;
  /** Calls answered in the last minute, against `rpmLimit`. */
  requests: number;
  /** Prompt + completion tokens the provider reported in the last minute, against `tpmLimit`. */
  tokens: number;
  rpmLimit: number | null;
  tpmLimit: number | null;
  inFlight: number;
  queued: number;
  /** Time the last minute's calls waited for the limiter, added up. */
  waitedMs: number;
  /** 429s the last minute's calls received (each was requeued). */
  rateLimited: number;
  pausedUntil: string | null;
}

export interface ProviderLimitHistory {
  name: string;
  type: string;
  limits: ProviderLimitValues | null;
  /** The in-flight cap after 429s halved it, and the pace lowered after them (1: full speed). */
  concurrencyCap: number | null;
  pace: number | null;
  learned: LearnedLimits | null;
  /** Reachability and the last failure, from the gateway's calls and the daemon's checks. */
  health: ProviderHealthState | null;
  /** Since the daemon started. */
  totals: { calls: number; rateLimited: number; waitedMs: number };
  /** Oldest first; the last one is taken at the time of the request. */
  samples: LimitSample[];
}

/** The answer of `GET /v1/limits/history`. */
export interface LimitHistoryAnswer {
  intervalMs: number;
  providers: ProviderLimitHistory[];
}
