import type { CallTiming } from './generate-types.js';

/** Where the time of calls that failed went, by the error they failed with. */
const timings = new WeakMap<object, CallTiming>();

/**
 * Notes where a failed call spent its time (the waits for limits, earlier attempts and their backoff, then
 * the last attempt), so that an API answer with the error still says it in its timing headers.
 */
export function noteFailedCallTiming(error: unknown, timing: CallTiming): void {
  if (typeof error === 'object' && error !== null) timings.set(error, timing);
}

/** The timing `noteFailedCallTiming` noted for `error`, if any. */
export function failedCallTiming(error: unknown): CallTiming | undefined {
  return typeof error === 'object' && error !== null ? timings.get(error) : undefined;
}
