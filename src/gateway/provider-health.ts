import { AbortError, ProviderError, errorMessage } from '../errors.js';
import type { Clock } from './clock.js';

/** Whether a provider works, as its last real calls and checks (model listings) said. */
export interface ProviderHealthState {
  /** `true` after any answer (even an HTTP error), `false` after a connection failure or timeout; `null` before anything was tried. */
  reachable: boolean | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** The last failure's reason, secrets scrubbed (ProviderError messages are). */
  lastFailure: { kind: string; message: string; code: string } | null;
  /** What told us last: a gateway call or a check (the daemon's model listing at start and every few minutes). */
  lastCheckedBy: 'call' | 'check' | null;
}

/** Records successes and failures per provider, from the gateway's calls and the daemon's checks. */
export class ProviderHealth {
  readonly #states = new Map<string, ProviderHealthState>();
  readonly #clock: Pick<Clock, 'now'>;

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock;
  }

  succeeded(provider: string, by: 'call' | 'check'): void {
    const state = this.#state(provider);
    state.reachable = true;
    state.lastSuccessAt = new Date(this.#clock.now()).toISOString();
    state.lastCheckedBy = by;
  }

  /** A cancelled call says nothing about the provider and is not recorded. */
  failed(provider: string, error: unknown, by: 'call' | 'check'): void {
    if (error instanceof AbortError) return;
    const state = this.#state(provider);
    const kind = error instanceof ProviderError ? error.kind : 'error';
    // Only a call that got no answer makes the provider unreachable; a refused key or a 429 is an answer.
    state.reachable = !(kind === 'connection' || kind === 'timeout');
    state.lastFailureAt = new Date(this.#clock.now()).toISOString();
    state.lastFailure = {
      kind,
      message: errorMessage(error),
      code: error instanceof ProviderError ? error.code : 'AGENTD_ERR_PROVIDER',
    };
    state.lastCheckedBy = by;
  }

  state(provider: string): ProviderHealthState {
    return { ...this.#state(provider) };
  }

  #state(provider: string): ProviderHealthState {
    let state = this.#states.get(provider);
    if (!state) {
      state = { reachable: null, lastSuccessAt: null, lastFailureAt: null, lastFailure: null, lastCheckedBy: null };
      this.#states.set(provider, state);
    }
    return state;
  }
}
