/**
 * Start-time fair queuing across flows (runs, API clients): each entry gets a start tag
 * `max(virtual time, its flow's last finish)` and a finish tag `start + cost`; the entry with the smallest
 * start tag goes first. A flow with 16 queued summaries of 10k tokens has its tags far ahead, so another
 * flow's small call, tagged at the current virtual time, goes before them: no run starves another.
 */
interface Entry<T> {
  item: T;
  flow: string;
  start: number;
  seq: number;
}

export class FairQueue<T> {
  #virtualTime = 0;
  #seq = 0;
  readonly #lastFinish = new Map<string, number>();
  readonly #entries: Entry<T>[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /**
   * Queues `item` for `flow` at `cost`. `keepStart` re-queues a retried item at the start tag it had, so a
   * request bounced by a 429 does not lose its place.
   */
  push(flow: string, cost: number, item: T, keepStart?: number): number {
    const start = keepStart ?? Math.max(this.#virtualTime, this.#lastFinish.get(flow) ?? 0);
    if (keepStart === undefined) this.#lastFinish.set(flow, start + Math.max(1, cost));
    this.#entries.push({ item, flow, start, seq: this.#seq++ });
    return start;
  }

  /** Whether `item` is still waiting in the queue. */
  has(item: T): boolean {
    return this.#entries.some((entry) => entry.item === item);
  }

  /** Items in fair order (smallest start tag first). */
  ordered(): T[] {
    return [...this.#entries].sort((a, b) => a.start - b.start || a.seq - b.seq).map((entry) => entry.item);
  }

  /** Removes `item` to serve it; the virtual time advances to its start tag. */
  take(item: T): boolean {
    const entry = this.#entries.find((candidate) => candidate.item === item);
    if (!entry) return false;
    this.#entries.splice(this.#entries.indexOf(entry), 1);
    this.#virtualTime = Math.max(this.#virtualTime, entry.start);
    this.#forgetIdleFlows();
    return true;
  }

  /** Removes a specific item (a cancelled request). */
  remove(item: T): boolean {
    const index = this.#entries.findIndex((entry) => entry.item === item);
    if (index === -1) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  #forgetIdleFlows(): void {
    // A flow whose last finish is behind the virtual time would be tagged at the virtual time anyway.
    for (const [flow, finish] of this.#lastFinish) if (finish <= this.#virtualTime) this.#lastFinish.delete(flow);
  }
}
