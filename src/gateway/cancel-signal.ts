/**
 * What a call listens to for cancellation: the members of `AbortSignal` that the gateway, the limiter and the
 * providers' own HTTP calls use. An `AbortSignal` is one (a run's); a `Cancellation` (one per API request) is
 * a far cheaper one. Only the vendor SDKs need a real `AbortSignal`: `toAbortSignal` gives them one.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A `CancelSignal` that costs next to nothing to create. Node 20 builds an `AbortSignal` as an `EventTarget`
 * whose prototype is then swapped, 5 µs of CPU on a quiet core and a slow-mode object, and `http.request`
 * watches one with a listener plus `finished()` on the request: the API's per-request signal was a sixth of
 * the daemon's CPU per proxied call (`npm run bench:proxy`). Aborts at most once; its listeners are called
 * once, in the order added.
 */
export class Cancellation implements CancelSignal {
  #aborted = false;
  #reason: unknown;
  #listeners: Array<() => void> | undefined;
  /** Made on first use of `abortSignal`, for the vendor SDKs. */
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Aborts with `reason` (once: later calls do nothing) and calls the listeners. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    this.#controller?.abort(reason);
    if (listeners) for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // An `AbortSignal` ignores a listener added after it aborted; so does this.
    if (this.#aborted) return;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (!listeners) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }

  /** An `AbortSignal` that aborts with this one, made on first use. */
  get abortSignal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
}

/** The `AbortSignal` that aborts with `signal`, for APIs that take only that (the vendor SDKs, fetch). */
export function toAbortSignal(signal: CancelSignal | undefined): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  if (signal instanceof Cancellation) return signal.abortSignal;
  // Another implementation: followed by a listener that lives as long as the signal does.
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

/** The error a cancelled call fails with: the signal's reason, else an AbortError as fetch throws it. */
export function abortReason(signal: CancelSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
