import type { ProviderError } from '../errors.js';
import { readRetryHint } from './rate-limit-headers.js';

/** How the gateway retries, after openai-node's policy. */
export interface RetryPolicy {
  /** Attempts for transient failures (5xx, overloaded, timeouts, connection errors). @default 5 */
  maxAttempts: number;
  /** 429s a single call may receive before its caller is told. @default 30 */
  maxRateLimited: number;
  /** @default 500 */
  initialDelayMs: number;
  /** @default 8000 */
  maxDelayMs: number;
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxRateLimited: 30,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  random: Math.random,
};

/** Exponential backoff with up to 25% jitter below the cap, as openai-node computes it. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const base = Math.min(policy.initialDelayMs * 2 ** retry, policy.maxDelayMs);
  return Math.round(base * (1 - policy.random() * 0.25));
}

/**
 * When to retry after `error`, or undefined to give up. 429s are handled by the limiter (requeued, not
 * counted here); this covers everything else.
 */
export function transientRetryDelay(
  policy: RetryPolicy,
  error: ProviderError,
  attempt: number,
  now: number,
): number | undefined {
  // Auth, quota, too-large and bad requests fail the same way every time: retrying only spends money.
  if (!error.retryable) return undefined;
  if (attempt >= policy.maxAttempts) return undefined;
  // The provider knows best when it will have room (Anthropic's 529 and many 503s carry retry-after).
  const hint = error.retryAfterMs ?? readRetryHint(error.headers, undefined, now);
  if (hint !== undefined && hint <= 60_000) return hint;
  return backoffMs(policy, attempt - 1);
}
