import type { Clock } from './clock.js';

/**
 * A token bucket that refills at `ratePerMs` up to `capacity`, and may go into debt: a request larger than the
 * whole bucket is admitted once the bucket is full, and the debt delays what follows. That is how a provider
 * enforcing "60,000 tokens per minute over a 10 s window" still serves a single 15,000-token request.
 */
export class TokenBucket {
  #ratePerMs: number;
  #capacity: number;
  #level: number;
  #updatedAt: number;
  readonly #clock: Clock;

  constructor(ratePerMs: number, capacity: number, clock: Clock) {
    this.#ratePerMs = ratePerMs;
    this.#capacity = capacity;
    this.#level = capacity;
    this.#clock = clock;
    this.#updatedAt = clock.now();
  }

  get capacity(): number {
    return this.#capacity;
  }

  get ratePerMs(): number {
    return this.#ratePerMs;
  }

  /** The current level (negative while in debt). */
  level(): number {
    this.#refill();
    return this.#level;
  }

  /** Milliseconds until `amount` may be taken: the bucket must hold `min(amount, capacity)`. */
  waitFor(amount: number): number {
    this.#refill();
    const needed = Math.min(amount, this.#capacity);
    if (this.#level >= needed) return 0;
    return Math.ceil((needed - this.#level) / this.#ratePerMs);
  }

  take(amount: number): void {
    this.#refill();
    this.#level -= amount;
  }

  /** Gives back tokens that were reserved but not charged; never above capacity. */
  give(amount: number): void {
    this.#refill();
    this.#level = Math.min(this.#capacity, this.#level + amount);
  }

  /** Lowers the level to at most `max` (the provider says it has less than we thought). */
  clampTo(max: number): void {
    this.#refill();
    this.#level = Math.min(this.#level, max);
  }

  /** Changes the refill rate and capacity, keeping the level (capped at the new capacity). */
  reconfigure(ratePerMs: number, capacity: number): void {
    this.#refill();
    this.#ratePerMs = ratePerMs;
    this.#capacity = capacity;
    this.#level = Math.min(this.#level, capacity);
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) this.#level = Math.min(this.#capacity, this.#level + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
  }
}
