import { AbortError, BudgetError, ProviderError } from '../errors.js';

/**
 * Errors that end the run rather than one step of it: cancellation, a crossed budget, and a provider that
 * refuses every call the same way (bad key, exhausted quota, unknown model). Actions record and skip any
 * other failure (a page, a malformed answer) and rethrow these.
 */
export function isFatalForRun(error: unknown): boolean {
  if (error instanceof AbortError || error instanceof BudgetError) return true;
  return error instanceof ProviderError && (error.kind === 'auth' || error.kind === 'quota' || error.kind === 'not-found');
}
