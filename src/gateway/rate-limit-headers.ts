/**
 * Reading a provider's own view of its limits from response headers and error text, so the limiter's state
 * follows the provider's: OpenAI `x-ratelimit-*` (resets like `1.5s`, `6m0s`, `12ms`), Anthropic
 * `anthropic-ratelimit-*` (RFC 3339 resets), `retry-after-ms`, `retry-after`, and "try again in 1.2s".
 */

/** What the headers say about one dimension (requests or tokens). */
export interface LimitReading {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the provider's window is full again. */
  resetMs?: number;
}

export interface RateLimitReading {
  requests: LimitReading;
  tokens: LimitReading;
}

/** Parses a Go-style duration (`1.5s`, `6m0s`, `12ms`, `1h2m`, `250us`) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * (units[match[2] as string] ?? 0);
    consumed += match[0].length;
  }
  return consumed === trimmed.length && consumed > 0 ? total : undefined;
}

/** Reads limit, remaining and reset for requests and tokens, from OpenAI's or Anthropic's headers. */
export function readRateLimitHeaders(headers: Readonly<Record<string, string>>, now: number): RateLimitReading {
  if (Object.keys(headers).some((name) => name.startsWith('anthropic-ratelimit-'))) {
    const tokensPrefix = headers['anthropic-ratelimit-tokens-limit'] !== undefined ? 'tokens' : 'input-tokens';
    return {
      requests: anthropicReading(headers, 'requests', now),
      tokens: anthropicReading(headers, tokensPrefix, now),
    };
  }
  return {
    requests: openAIReading(headers, 'requests'),
    tokens: openAIReading(headers, 'tokens'),
  };
}

function openAIReading(headers: Readonly<Record<string, string>>, dimension: string): LimitReading {
  const reading: LimitReading = {};
  const limit = toNumber(headers[`x-ratelimit-limit-${dimension}`]);
  const remaining = toNumber(headers[`x-ratelimit-remaining-${dimension}`]);
  const reset = headers[`x-ratelimit-reset-${dimension}`];
  if (limit !== undefined) reading.limit = limit;
  if (remaining !== undefined) reading.remaining = remaining;
  const resetMs = reset === undefined ? undefined : parseDuration(reset);
  if (resetMs !== undefined) reading.resetMs = resetMs;
  return reading;
}

function anthropicReading(headers: Readonly<Record<string, string>>, dimension: string, now: number): LimitReading {
  const reading: LimitReading = {};
  const limit = toNumber(headers[`anthropic-ratelimit-${dimension}-limit`]);
  const remaining = toNumber(headers[`anthropic-ratelimit-${dimension}-remaining`]);
  const reset = headers[`anthropic-ratelimit-${dimension}-reset`];
  if (limit !== undefined) reading.limit = limit;
  if (remaining !== undefined) reading.remaining = remaining;
  if (reset !== undefined) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) reading.resetMs = Math.max(0, at - now);
  }
  return reading;
}

/**
 * The provider's hint of when to retry, in milliseconds: `retry-after-ms`, then `retry-after` (seconds or an
 * HTTP date), then "try again in 1.2s" / "retry after 5 seconds" in the error text. Undefined when none.
 */
export function readRetryHint(
  headers: Readonly<Record<string, string>>,
  message: string | undefined,
  now: number,
): number | undefined {
  const afterMs = toNumber(headers['retry-after-ms']);
  if (afterMs !== undefined && afterMs >= 0) return afterMs;
  const after = headers['retry-after'];
  if (after !== undefined) {
    const seconds = toNumber(after);
    if (seconds !== undefined && seconds >= 0) return seconds * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (message) {
    const inText = /try again in\s+([0-9.]+\s*(?:ms|s|m|h)(?:[0-9.]+\s*(?:ms|s))?)/i.exec(message);
    if (inText?.[1]) {
      const parsed = parseDuration(inText[1].replace(/\s+/g, ''));
      if (parsed !== undefined) return parsed;
    }
    const afterSeconds = /retry after\s+([0-9.]+)\s*(?:seconds?|s)\b/i.exec(message);
    if (afterSeconds?.[1]) return Number(afterSeconds[1]) * 1000;
  }
  return undefined;
}

/** Limits stated in an OpenAI 429 text: "on tokens per min (TPM): Limit 60000, Used ...". */
export function readLimitsFromMessage(message: string): { tpm?: number; rpm?: number } {
  const found: { tpm?: number; rpm?: number } = {};
  const tokens = /tokens per min(?:ute)? \(TPM\): Limit (\d+)/i.exec(message);
  if (tokens?.[1]) found.tpm = Number(tokens[1]);
  const requests = /requests per min(?:ute)? \(RPM\): Limit (\d+)/i.exec(message);
  if (requests?.[1]) found.rpm = Number(requests[1]);
  return found;
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
