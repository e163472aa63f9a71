import type { Logger } from '../logger.js';
import type { SharedLimits } from './shared-limits.js';

/** How long a reservation outlives its member's last renewal. @default 10000 */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/**
 * Keeps this member's reservations in Redis alive: every lease (a limiter slot) and budget hold is an entry of
 * a sorted set scored by its expiry, renewed here every third of its time to live. When the member dies the
 * renewals stop, and within `leaseTtlMs` the entries expire and every member sees the slots and money free.
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
    this.#timer = setInterval(() => void this.renewNow(), Math.max(50, Math.floor(leaseTtlMs / 3)));
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
