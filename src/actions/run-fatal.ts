import { AbortError, BudgetError, ProviderError, StoreError, StoreFullError, UnreachableError } from '../errors.js';

/**
 * Errors that end the run rather than one step of it: cancellation, a crossed budget, and a provider that
 * refuses every call the same way (bad key, exhausted quota, unknown model), and a store that cannot write
 * (nothing can be persisted, so nothing may build on it). Actions record and skip any other failure (a page,
 * a malformed answer) and rethrow these.
 */
export function isFatalForRun(error: unknown): boolean {
  if (
    error instanceof AbortError ||
    error instanceof BudgetError ||
    error instanceof StoreError ||
    error instanceof StoreFullError ||
    error instanceof UnreachableError
  )
    return true;
  return error instanceof ProviderError && error.refusesEveryCall;
}
