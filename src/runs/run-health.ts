import { ErrorCode, errorMessage, ProviderError, UnreachableError } from '../errors.js';

/** Error codes of Node's sockets and DNS that mean "the network did not let us through". */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * What a run's calls to the outside achieved, to tell an honest outcome: a run whose every LLM call failed
 * to connect, or whose every search failed for network reasons, has not researched anything, whatever its
 * fallbacks produced. Cached and replayed answers count as answers.
 */
export class RunHealth {
  #llmAnswers = 0;
  #searchAnswers = 0;
  #searchNetworkFailures = 0;
  #searchOtherFailures = 0;
  #lastSearchError: unknown;
  readonly #providerURL: (provider: string) => string;
  readonly #searchName: string;

  constructor(options: { providerURL: (provider: string) => string; searchName: string }) {
    this.#providerURL = options.providerURL;
    this.#searchName = options.searchName;
  }

  llmAnswered(): void {
    this.#llmAnswers += 1;
  }

  /**
   * An LLM call failed for good (after the gateway's retries). A connection failure while no call of the run
   * has been answered means the provider is unreachable: the run fails now rather than on fallbacks.
   */
  llmFailed(error: unknown): unknown {
    if (this.#llmAnswers > 0 || !(error instanceof ProviderError) || error.kind !== 'connection') return error;
    return new UnreachableError(
      ErrorCode.providerUnreachable,
      `provider-unreachable: no LLM call of this run reached provider "${error.provider}" at ${this.#providerURL(error.provider)} (${errorMessage(error)})`,
      { cause: error },
    );
  }

  searchAnswered(): void {
    this.#searchAnswers += 1;
  }

  searchFailed(error: unknown): void {
    if (isNetworkError(error)) this.#searchNetworkFailures += 1;
    else this.#searchOtherFailures += 1;
    this.#lastSearchError = error;
  }

  /** The error that makes a finished team's run a failure, if any. */
  verdict(): UnreachableError | undefined {
    if (this.#searchAnswers === 0 && this.#searchNetworkFailures > 0 && this.#searchOtherFailures === 0) {
      return new UnreachableError(
        ErrorCode.searchUnreachable,
        `search-unreachable: every search of this run (${this.#searchNetworkFailures}) failed for network reasons with the "${this.#searchName}" search plugin: ${errorMessage(this.#lastSearchError)}`,
        { cause: this.#lastSearchError },
      );
    }
    return undefined;
  }
}

/** Whether `error`, or anything in its cause chain, is a socket or DNS failure. */
export function isNetworkError(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current && depth < 8;
    current = (current as { cause?: unknown }).cause, depth += 1
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current instanceof ProviderError && current.kind === 'connection') return true;
  }
  return false;
}
