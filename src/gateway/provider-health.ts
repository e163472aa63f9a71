import { AbortError, ProviderError, errorMessage } from '../errors.js';
import type { ProviderHealthState } from '../types/provider-limits.js';
import type { Clock } from './clock.js';

/** Records successes and failures per provider, from the gateway's calls and the daemon's checks. */
export class ProviderHealth {
  readonly #states = new Map<string, ProviderHealthState>();
  /** When each provider last answered, in ms since the epoch (`lastSuccessAt` of its state). */
  readonly #lastSuccess = new Map<string, number>();
  readonly #clock: Pick<Clock, 'now'>;

  constructor(clock: Pick<Clock, 'now'>) {
    this.#clock = clock;
  }

  succeeded(provider: string, by: 'call' | 'check'): void {
    const state = this.#state(provider);
    state.reachable = true;
    // A number, written as a date only when read: this runs on every call, `state` seldom.
    this.#lastSuccess.set(provider, this.#clock.now());
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
    const state = { ...this.#state(provider) };
    const lastSuccess = this.#lastSuccess.get(provider);
    if (lastSuccess !== undefined) state.lastSuccessAt = new Date(lastSuccess).toISOString();
    return state;
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
