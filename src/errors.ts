/**
 * agentd's one error hierarchy. Every error carries a stable `code` that scripts and the API can match on,
 * and keeps what caused it as `cause`. Modelled on fastify's lib/errors.js and got's core/errors.ts.
 */

/** Stable error codes. Never renamed once published: clients match on them. */
export const ErrorCode = {
  /** The config file is unreadable or invalid. */
  config: 'AGENTD_ERR_CONFIG',
  /** Input from a client failed validation. */
  badRequest: 'AGENTD_ERR_BAD_REQUEST',
  /** Missing or wrong bearer token. */
  unauthorized: 'AGENTD_ERR_UNAUTHORIZED',
  /** A request refused by a security rule (Host, Origin, address). */
  forbidden: 'AGENTD_ERR_FORBIDDEN',
  /** The thing asked for does not exist. */
  notFound: 'AGENTD_ERR_NOT_FOUND',
  /** The request conflicts with the current state (e.g. resuming a completed run). */
  conflict: 'AGENTD_ERR_CONFLICT',
  /** A request body over the size limit. */
  tooLarge: 'AGENTD_ERR_TOO_LARGE',
  /** An LLM provider failed the call. */
  provider: 'AGENTD_ERR_PROVIDER',
  /** An LLM provider rate-limited the call. */
  rateLimit: 'AGENTD_ERR_RATE_LIMIT',
  /** A call would cross a budget. */
  budget: 'AGENTD_ERR_BUDGET',
  /** A search, browse or wiki plugin failed. */
  plugin: 'AGENTD_ERR_PLUGIN',
  /** An address the browse plugin must not fetch. */
  blockedAddress: 'AGENTD_ERR_BLOCKED_ADDRESS',
  /** Something took longer than allowed. */
  timeout: 'AGENTD_ERR_TIMEOUT',
  /** The operation was cancelled by its caller. */
  aborted: 'AGENTD_ERR_ABORTED',
  /** The persistent store failed. */
  store: 'AGENTD_ERR_STORE',
  /** The data dir's disk is full (or over quota): writes are refused until space is freed. */
  storeFull: 'AGENTD_ERR_STORE_FULL',
  /** The daemon is not running or not reachable. */
  daemon: 'AGENTD_ERR_DAEMON',
  /** Cluster mode's Redis is unreachable, or stayed unreachable longer than work may wait for it. */
  cluster: 'AGENTD_ERR_CLUSTER',
  /** A run's every LLM call failed to connect to the provider. */
  providerUnreachable: 'AGENTD_ERR_PROVIDER_UNREACHABLE',
  /** A run's every web search failed for network reasons. */
  searchUnreachable: 'AGENTD_ERR_SEARCH_UNREACHABLE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every agentd error: a stable code, an HTTP status for the API, and a cause. */
export class AgentdError extends Error {
  override readonly name: string = 'AgentdError';
  readonly code: ErrorCodeValue;
  /** The HTTP status the API answers with when this error reaches a route. */
  readonly statusCode: number;

  constructor(code: ErrorCodeValue, message: string, options: { cause?: unknown; statusCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
  }
}

/** One problem in a config file, at a key path. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A ConfigIssue's message for keys a strict section refused, with the valid ones when they are known. */
export function unknownKeysMessage(keys: readonly string[], valid?: readonly string[]): string {
  const named = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((key) => `"${key}"`).join(', ')}`;
  return valid ? `${named} (expected one of ${valid.join(', ')})` : named;
}

/** The config is invalid; `issues` lists every problem, each with its key path. */
export class ConfigError extends AgentdError {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: { cause?: unknown; source?: string } = {}) {
    const where = options.source ? ` in ${options.source}` : '';
    const lines = issues.map((issue) => (issue.path ? `  ${issue.path}: ${issue.message}` : `  ${issue.message}`));
    super(ErrorCode.config, `invalid config${where}:\n${lines.join('\n')}`, { ...options, statusCode: 400 });
    this.issues = issues;
  }
}

/** Client input failed validation (400). */
export class BadRequestError extends AgentdError {
  override readonly name = 'BadRequestError';
  /** The offending request parameter, by its name in the API (OpenAI's `param`). */
  readonly param: string | undefined;
  constructor(message: string, options: { cause?: unknown; param?: string } = {}) {
    super(ErrorCode.badRequest, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      statusCode: 400,
    });
    this.param = options.param;
  }
}

/** The thing asked for does not exist (404). */
export class NotFoundError extends AgentdError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.notFound, message, { ...options, statusCode: 404 });
  }
}

/** The request conflicts with the current state (409). */
export class ConflictError extends AgentdError {
  override readonly name = 'ConflictError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.conflict, message, { ...options, statusCode: 409 });
  }
}

/** Why a provider call failed, normalised across SDKs by HTTP status and error type. */
export type ProviderErrorKind =
  | 'auth'
  | 'quota'
  | 'too-large'
  | 'bad-request'
  | 'not-found'
  | 'rate-limited'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'connection';

/**
 * An LLM provider failed a call. Built by `providerError` (src/gateway/provider-errors.ts), which decides
 * `retryable` and `refusesEveryCall` from the kind, once, where the error is built; everything else reads them.
 */
export class ProviderError extends AgentdError {
  override readonly name: string = 'ProviderError';
  readonly kind: ProviderErrorKind;
  /** The provider's HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** The gateway may try again: the same request can succeed later (429, overload, 5xx, timeout, connection). */
  readonly retryable: boolean;
  /**
   * The provider refuses every call this way, not just this request (a bad key, an exhausted quota, an unknown
   * model): a run cannot go on without it.
   */
  readonly refusesEveryCall: boolean;
  /** The provider's own retry hint in milliseconds (retry-after-ms, retry-after, "try again in 1.2s"). */
  readonly retryAfterMs: number | undefined;
  /** The response headers, lower-cased, for rate-limit bookkeeping. */
  readonly headers: Readonly<Record<string, string>>;
  readonly provider: string;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    options: {
      retryable: boolean;
      refusesEveryCall: boolean;
      cause?: unknown;
      status?: number;
      retryAfterMs?: number;
      headers?: Record<string, string>;
    },
  ) {
    const code =
      kind === 'rate-limited' ? ErrorCode.rateLimit : kind === 'timeout' ? ErrorCode.timeout : ErrorCode.provider;
    super(code, `${provider}: ${message}`, {
      cause: options.cause,
      statusCode: kind === 'bad-request' || kind === 'not-found' ? 400 : 502,
    });
    this.provider = provider;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers ?? {};
    this.retryable = options.retryable;
    this.refusesEveryCall = options.refusesEveryCall;
  }
}

/** A call that would cross a run's or the daemon's budget was not made (402). */
export class BudgetError extends AgentdError {
  override readonly name = 'BudgetError';
  readonly scope: 'run' | 'total';
  constructor(scope: 'run' | 'total', message: string) {
    super(ErrorCode.budget, message, { statusCode: 402 });
    this.scope = scope;
  }
}

/** A search, browse or wiki plugin failed; `statusCode` is 502 for upstream failures. */
export class PluginError extends AgentdError {
  override readonly name = 'PluginError';
  readonly plugin: string;
  constructor(plugin: string, message: string, options: { cause?: unknown; statusCode?: number } = {}) {
    super(ErrorCode.plugin, `${plugin}: ${message}`, { cause: options.cause, statusCode: options.statusCode ?? 502 });
    this.plugin = plugin;
  }
}

/** The browse plugin refused an address (loopback, private, metadata...) (403). */
export class BlockedAddressError extends AgentdError {
  override readonly name = 'BlockedAddressError';
  constructor(message: string) {
    super(ErrorCode.blockedAddress, message, { statusCode: 403 });
  }
}

/** Something took longer than allowed (504). */
export class TimeoutError extends AgentdError {
  override readonly name = 'TimeoutError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.timeout, message, { ...options, statusCode: 504 });
  }
}

/** The operation was cancelled through its AbortSignal (499, as nginx says "client closed request"). */
export class AbortError extends AgentdError {
  override readonly name = 'AbortError';
  constructor(message = 'the operation was cancelled', options: { cause?: unknown } = {}) {
    super(ErrorCode.aborted, message, { ...options, statusCode: 499 });
  }
}

/** The store could not read or write (500: our fault, never the client's). */
export class StoreError extends AgentdError {
  override readonly name = 'StoreError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.store, message, options);
  }
}

/** The disk under the store is full or over quota (507 Insufficient Storage); writes work again once space is freed. */
export class StoreFullError extends AgentdError {
  override readonly name = 'StoreFullError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.storeFull, message, { ...options, statusCode: 507 });
  }
}

/** Whether a file system error means "no space left" rather than a broken store. */
export function isNoSpaceError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A StoreFullError for a disk that is full, a StoreError otherwise; `action` says what failed ("cannot write X"). */
export function storeWriteError(action: string, error: unknown): StoreError | StoreFullError {
  if (isNoSpaceError(error))
    return new StoreFullError(
      `${action}: no space left on the data dir's disk; free some space and agentd carries on`,
      { cause: error },
    );
  return new StoreError(`${action}: ${errorMessage(error)}`, { cause: error });
}

/** Nothing of a run could reach a service it needs (its LLM provider, its search engine): the run fails (502). */
export class UnreachableError extends AgentdError {
  override readonly name = 'UnreachableError';
  constructor(
    code: typeof ErrorCode.providerUnreachable | typeof ErrorCode.searchUnreachable,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, { ...options, statusCode: 502 });
  }
}

/** The daemon is not running or not reachable from the CLI. */
export class DaemonError extends AgentdError {
  override readonly name = 'DaemonError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.daemon, message, options);
  }
}

/** Cluster mode cannot reach its Redis (503: a client may retry once it is back). */
export class ClusterError extends AgentdError {
  override readonly name = 'ClusterError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.cluster, message, { ...options, statusCode: 503 });
  }
}

/** The message of anything thrown, for logs and run records. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
