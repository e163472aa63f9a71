import { AbortError } from '../errors.js';
import type { Clock } from './clock.js';
import type { CancelSignal } from './cancel-signal.js';

/** Waits `ms` on the given clock; rejects with AbortError as soon as the signal fires. */
export function abortableDelay(clock: Clock, ms: number, signal: CancelSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
