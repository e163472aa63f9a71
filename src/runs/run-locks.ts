/**
 * Serializes the operations on each run (cancel, resume, the resumption at start): one runs after every earlier
 * one on the same run has finished, so a cancel sent a few microtasks after a resume sees the resumed run,
 * never a half-resumed one. Runs do not wait for each other.
 */
export class RunLocks {
  /** The tail of each run's chain of operations. */
  readonly #tails = new Map<string, Promise<void>>();

  serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(id, tail);
    void tail.then(() => {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    });
    return result;
  }
}
