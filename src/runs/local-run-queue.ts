import type { QueueHandlers, RunQueue } from './run-queue.js';

/** The default queue: a FIFO in this process. Runs left waiting by a stop are queued again at the next start. */
export class LocalRunQueue implements RunQueue {
  readonly member = undefined;
  readonly #ids: string[] = [];
  #handlers: QueueHandlers | undefined;

  get waiting(): number {
    return this.#ids.length;
  }

  get waitingIds(): readonly string[] {
    return [...this.#ids];
  }

  listen(handlers: QueueHandlers): void {
    this.#handlers = handlers;
  }

  /** Queued at once, in the same tick as its `run-queued` event: the queue holds exactly the queued runs. */
  push(id: string): { position: number; queued: Promise<void> } {
    this.#ids.push(id);
    return { position: this.#ids.length, queued: Promise.resolve() };
  }

  schedule(): void {
    const handlers = this.#handlers;
    while (handlers && this.#ids.length > 0 && handlers.hasSlot()) handlers.start(this.#ids.shift() as string);
  }

  async remove(id: string): Promise<boolean> {
    const index = this.#ids.indexOf(id);
    if (index === -1) return false;
    this.#ids.splice(index, 1);
    return true;
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {
    this.#handlers = undefined;
  }
}
