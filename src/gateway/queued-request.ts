import { AbortError } from '../errors.js';
import type { FairQueue } from './fair-queue.js';
import type { AcquireOptions, Lease } from './limiter.js';

/** What every limiter's waiting request holds; each limiter adds what its dispatch needs. */
export interface QueuedRequest {
  options: AcquireOptions;
  /** Its start tag in the fair queue. */
  start: number;
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

/**
 * Queues a request in fair order across flows (a retry keeps the start tag it had, so a 429 does not cost its
 * place) and resolves with its lease once the limiter dispatches it; rejects with AbortError if its signal
 * fires while it waits. `wake` (the limiter's dispatch) is called once it is queued and when it leaves by abort.
 * Shared by the in-process limiter and the cluster's, which differ in how they admit, not in how they queue.
 *
 * `create` builds its entry field by field. An object spread followed by more fields (`{ ...settle, options }`)
 * is allocated in the old generation by Node 20's V8, and an old object's pointers are roots for the young
 * collections: everything the entry holds (the request's options, its signal, its promise's callbacks) then
 * survived every scavenge until a full collection. That was most of the bytes each proxied call promoted
 * (`npm run bench:proxy-gc`, docs/BENCHMARKS.md).
 */
export function queueRequest<P extends QueuedRequest>(
  queue: FairQueue<P>,
  options: AcquireOptions,
  retryStart: number | undefined,
  create: (settle: Pick<QueuedRequest, 'resolve' | 'reject'>) => P,
  wake: () => void,
): Promise<Lease> {
  if (options.signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: options.signal.reason }));
  return new Promise<Lease>((resolve, reject) => {
    const pending = create({ resolve, reject });
    pending.start = queue.push(options.flow, options.tokens, pending, retryStart);
    wake();
    // With room at once (the usual case) the request was dispatched by `wake`: there is no wait to cancel.
    // Only a request left waiting listens to its signal; a listener added and removed on every call kept
    // each call reachable long enough to be promoted out of the young generation (`npm run bench:proxy`).
    const signal = options.signal;
    if (!signal || !queue.has(pending)) return;
    pending.onAbort = () => {
      if (queue.remove(pending)) {
        reject(new AbortError(undefined, { cause: signal.reason }));
        wake();
      }
    };
    signal.addEventListener('abort', pending.onAbort, { once: true });
  });
}
