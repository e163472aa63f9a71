/**
 * The runs this member executes, so that what it writes of them lands only while it holds them: the cluster
 * store's writes of such a run are checked, in the same script, against the queue's hash of executing runs
 * (`<prefix>:running`). A member cut from Redis for longer than its lease may still have writes waiting to be
 * sent when Redis is back; by then another member may be resuming the run, and those writes are refused
 * instead of mixing two executions.
 */
export class RunFence {
  readonly member: string;
  /** The queue's hash of executing runs (id → member). */
  readonly runningKey: string;
  readonly #executing = new Set<string>();
  #onLost: ((id: string) => void) | undefined;
  #pendingWrites: ((id: string) => Promise<void>) | undefined;

  constructor(member: string, prefix: string) {
    this.member = member;
    this.runningKey = `${prefix}:running`;
  }

  /** This member starts executing the run (it holds its lease). */
  enter(id: string): void {
    this.#executing.add(id);
  }

  /** The execution here ended, or the run was given back: writes of it are no longer checked. */
  leave(id: string): void {
    this.#executing.delete(id);
  }

  /** The member whose hold a write of this run needs, or undefined when the write is not an execution's. */
  writer(id: string): string | undefined {
    return this.#executing.has(id) ? this.member : undefined;
  }

  /** Redis refused a write: this member no longer holds the run, and must stop executing it. */
  refused(id: string): void {
    this.#onLost?.(id);
  }

  /** Called by the queue: `onLost` stops the run's execution. */
  whenLost(onLost: (id: string) => void): void {
    this.#onLost = onLost;
  }

  /** Called by the store: `pending` resolves once the run's writes still on their way have landed (or failed). */
  trackWrites(pending: (id: string) => Promise<void>): void {
    this.#pendingWrites = pending;
  }

  /** Resolves once the run's writes on their way have landed: its lease must outlive them. */
  async writesLanded(id: string): Promise<void> {
    await this.#pendingWrites?.(id);
  }
}
