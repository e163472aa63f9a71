import { ProviderError } from '../src/errors.js';
import {
  abortError,
  headersToRecord,
  providerHttpError,
  providerNetworkError,
} from '../src/gateway/provider-errors.js';

type ErrorClass<T extends Error = Error> = abstract new (...args: never[]) => T;

/** What an SDK's HTTP error carries, in openai-node and the Anthropic SDK alike (both Stainless-generated). */
export interface SdkApiError extends Error {
  readonly status: number | undefined;
  readonly headers: Headers | undefined;
  /** The parsed error body. */
  readonly error: unknown;
}

/** The error classes both SDKs export under the same names; passed in, so this module loads no SDK. */
export interface SdkErrorClasses<E extends SdkApiError> {
  APIUserAbortError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIError: ErrorClass<E>;
}

/**
 * Normalises what an openai-node or Anthropic SDK call threw into agentd's errors, keeping it as `cause`:
 * a cancellation is an AbortError, a failure without a response a timeout or connection ProviderError, an
 * HTTP failure a ProviderError classified by status. `vendorDetail` reads the vendor's own error code and
 * message from its error body, the one thing the two SDKs shape differently.
 */
export function normalizeSdkError<E extends SdkApiError>(
  provider: string,
  error: unknown,
  sdk: SdkErrorClasses<E>,
  vendorDetail: (apiError: E) => { code: string | undefined; message: string },
): Error {
  if (error instanceof ProviderError) return error;
  if (error instanceof sdk.APIUserAbortError) return abortError(error);
  if (error instanceof sdk.APIConnectionTimeoutError) return providerNetworkError(provider, error, true);
  if (error instanceof sdk.APIConnectionError) return providerNetworkError(provider, error, false);
  if (error instanceof sdk.APIError && error.status !== undefined) {
    const { code, message } = vendorDetail(error);
    return providerHttpError(provider, error.status, code, message, headersToRecord(error.headers), error);
  }
  if (error instanceof Error && error.name === 'AbortError') return abortError(error);
  return providerNetworkError(provider, error, false);
}
