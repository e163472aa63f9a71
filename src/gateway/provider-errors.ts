import { AbortError, BadRequestError, ProviderError, type ProviderErrorKind } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import { readRetryHint } from './rate-limit-headers.js';

/**
 * What each kind of failure means for the caller, decided here once: whether the same request may succeed
 * if tried again (the gateway retries it), and whether the provider refuses every call this way (a run ends).
 */
const KIND_POLICY: Readonly<Record<ProviderErrorKind, { retryable: boolean; refusesEveryCall: boolean }>> = {
  // A refused key, an exhausted quota and an unknown model fail every call the same way: retrying only spends.
  auth: { retryable: false, refusesEveryCall: true },
  quota: { retryable: false, refusesEveryCall: true },
  'not-found': { retryable: false, refusesEveryCall: true },
  // This request fails every time; a smaller or different one may not.
  'too-large': { retryable: false, refusesEveryCall: false },
  'bad-request': { retryable: false, refusesEveryCall: false },
  // Passing conditions: openai-node retries 408/409/429/5xx and connection errors.
  'rate-limited': { retryable: true, refusesEveryCall: false },
  overloaded: { retryable: true, refusesEveryCall: false },
  server: { retryable: true, refusesEveryCall: false },
  timeout: { retryable: true, refusesEveryCall: false },
  connection: { retryable: true, refusesEveryCall: false },
};

/** The normalised error of `kind`, with `retryable` and `refusesEveryCall` as KIND_POLICY decides them. */
export function providerError(
  provider: string,
  kind: ProviderErrorKind,
  message: string,
  options: { cause?: unknown; status?: number; retryAfterMs?: number; headers?: Record<string, string> } = {},
): ProviderError {
  return new ProviderError(provider, kind, message, { ...options, ...KIND_POLICY[kind] });
}

/**
 * Classifies a provider's HTTP failure by status (openai-node's `APIError.generate()`, extended with the
 * statuses Anthropic and Ollama use), refined by the vendor's error code and text where the status alone is
 * ambiguous: a 429 can be a rate limit, an exhausted quota or a request larger than the limit.
 */
export function classifyStatus(status: number, code: string | undefined, message: string): ProviderErrorKind {
  const text = `${code ?? ''} ${message}`;
  if (status === 429) {
    if (/insufficient_quota|exceeded your current quota|billing/i.test(text)) return 'quota';
    if (/request too large/i.test(text)) return 'too-large';
    return 'rate-limited';
  }
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 413) return 'too-large';
  if (status === 400 || status === 422) {
    return /context_length_exceeded|maximum context length|prompt is too long|too many tokens|exceeds the context/i.test(
      text,
    )
      ? 'too-large'
      : 'bad-request';
  }
  // 409 is a lock conflict on the provider's side; trying again is what openai-node does.
  if (status === 409) return 'server';
  // 503 is Ollama's "queue full" and many gateways' overload; 529 is Anthropic's.
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad-request';
}

/** Builds the normalised error for an HTTP failure, keeping the SDK's error as cause. */
export function providerHttpError(
  provider: string,
  status: number,
  code: string | undefined,
  message: string,
  headers: Record<string, string>,
  cause: unknown,
): ProviderError {
  const kind = classifyStatus(status, code, message);
  const clean = scrubSecrets(message);
  const retryAfterMs =
    kind === 'rate-limited' || kind === 'overloaded' || kind === 'server'
      ? readRetryHint(headers, clean, Date.now())
      : undefined;
  return providerError(provider, kind, `${describeKind(kind)} (HTTP ${status}): ${clean}`, {
    cause,
    status,
    headers,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Socket errors of a connection that was made and then dropped, as opposed to one never made. */
const DROPPED = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/**
 * The error for a call whose connection failed: never made ("cannot connect"), or dropped while the answer
 * came ("connection lost"). The message is the innermost cause's (`connect ECONNREFUSED 127.0.0.1:11434`,
 * `other side closed`): the SDKs wrap it in one that only says "Connection error.".
 */
export function providerNetworkError(provider: string, error: unknown, timedOut: boolean): ProviderError {
  let root = error;
  for (let depth = 0; depth < 5 && (root as { cause?: unknown } | null)?.cause instanceof Error; depth += 1)
    root = (root as { cause: Error }).cause;
  const message = scrubSecrets(root instanceof Error ? root.message : String(root));
  if (timedOut) {
    // The SDKs' own timeout error says only "Request timed out.": said once, not twice.
    const detail = /^request timed out\.?$/i.test(message) ? '' : `: ${message}`;
    return providerError(provider, 'timeout', `request timed out${detail}`, { cause: error });
  }
  const dropped = DROPPED.has(String((root as { code?: unknown } | null)?.code));
  const what = dropped ? 'connection lost' : 'cannot connect';
  return providerError(provider, 'connection', `${what}: ${message}`, { cause: error });
}

/** The error for a missing API key, naming the environment variable the config referred to. */
export function missingKeyError(provider: string, envName: string | undefined): ProviderError {
  const hint = envName ? `set the environment variable ${envName}` : `set providers.${provider}.apiKey`;
  return providerError(provider, 'auth', `no API key: ${hint}`);
}

export function abortError(cause: unknown): AbortError {
  return new AbortError('the call was cancelled', { cause });
}

/** Response headers as a plain object with lower-case names. */
export function headersToRecord(headers: Headers | Record<string, string> | undefined | null): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => {
      record[name.toLowerCase()] = value;
    });
    return record;
  }
  for (const [name, value] of Object.entries(headers)) record[name.toLowerCase()] = String(value);
  return record;
}

function describeKind(kind: ProviderErrorKind): string {
  const descriptions: Record<ProviderErrorKind, string> = {
    auth: 'authentication failed',
    quota: 'quota exhausted',
    'too-large': 'request too large',
    'bad-request': 'bad request',
    'not-found': 'model or endpoint not found',
    'rate-limited': 'rate limited',
    overloaded: 'overloaded',
    server: 'server error',
    timeout: 'timed out',
    connection: 'connection failed',
  };
  return descriptions[kind];
}

/** The 400 for a request parameter a provider cannot honour, naming both (never dropped silently). */
export function unsupportedParameter(
  provider: { name: string; type: string },
  param: string,
  detail?: string,
): BadRequestError {
  const what = detail ? `: ${detail}` : '';
  return new BadRequestError(
    `parameter "${param}" is not supported by provider "${provider.name}" (${provider.type})${what}`,
    { param },
  );
}
