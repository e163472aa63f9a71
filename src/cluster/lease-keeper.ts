import type { Logger } from '../logger.js';
import type { SharedLimits } from './shared-limits.js';

/** How long a reservation outlives its member's last renewal. @default 10000 */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/** The longest time between two renewals, whatever the lease's time to live. */
const MAX_RENEW_INTERVAL_MS = 1_000;

/**
 * How often leases of `leaseTtlMs` are renewed: a third of their time to live, and at least every second. A
 * lease is lost when the time since its last renewal exceeds its time to live, and that time is the interval
 * plus however long the event loop was busy when the renewal was due (a page's tokens counted, a tokenizer
 * loaded: up to 1.7 s measured on a loaded machine, docs/BENCHMARKS.md). Renewing every second instead of
 * every 3.3 s lets a member with the default lease survive a busy loop of 9 s instead of 6.7 s, for one small
 * Redis script a second.
 */
export function renewIntervalMs(leaseTtlMs: number): number {
  return Math.max(50, Math.min(MAX_RENEW_INTERVAL_MS, Math.floor(leaseTtlMs / 3)));
}

/**
 * Keeps this member's reservations in Redis alive: every lease (a limiter slot) and budget hold is an entry of
 * a sorted set scored by its expiry, renewed here every third of its time to live (at least every second).
 * When the member dies the renewals stop, and within `leaseTtlMs` the entries expire and every member sees the
 * slots and money free.
 */
export class LeaseKeeper {
  readonly leaseTtlMs: number;
  readonly #limits: SharedLimits;
  readonly #logger: Logger;
  /** `key\u0000id` of every live entry. */
  readonly #live = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  constructor(limits: SharedLimits, logger: Logger, leaseTtlMs = DEFAULT_LEASE_TTL_MS) {
    this.leaseTtlMs = leaseTtlMs;
    this.#limits = limits;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.renewNow(), renewIntervalMs(leaseTtlMs));
    this.#timer.unref();
  }

  add(key: string, id: string): void {
    this.#live.add(`${key}\u0000${id}`);
  }

  remove(key: string, id: string): void {
    this.#live.delete(`${key}\u0000${id}`);
  }

  get size(): number {
    return this.#live.size;
  }

  async renewNow(): Promise<void> {
    if (this.#live.size === 0 || !this.#limits.connection.available) return;
    const entries = [...this.#live].map((entry) => {
      const [key = '', id = ''] = entry.split('\u0000');
      return { key, id };
    });
    try {
      await this.#limits.renew(entries, this.leaseTtlMs);
    } catch (error) {
      // The connection logs the outage once; a renewal missed here is retried at the next tick.
      this.#logger.debug({ err: error }, 'cluster: lease renewal failed');
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
