import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError, TimeoutError } from '../../src/errors.js';
import type { Extracted } from './extract-content.js';
import type { ExtractTask } from './extract-worker.js';

type TaskInput = ExtractTask extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

interface Job {
  id: number;
  input: TaskInput;
  resolve: (result: Extracted) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A fixed pool of extraction workers with a FIFO queue. A task that takes longer than `taskTimeoutMs` (a
 * pathological page) terminates its worker, which is replaced; a crashed worker is replaced too.
 */
export class ExtractionPool {
  readonly #size: number;
  readonly #taskTimeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: { size: number; taskTimeoutMs: number }) {
    this.#size = options.size;
    this.#taskTimeoutMs = options.taskTimeoutMs;
  }

  run(input: TaskInput): Promise<Extracted> {
    if (this.#closed) return Promise.reject(new PluginError('http', 'the extraction pool is closed'));
    return new Promise<Extracted>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, input, resolve, reject });
      this.#drain();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new PluginError('http', 'the extraction pool closed'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => !candidate.job);
      if (!slot && this.#slots.length < this.#size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift() as Job;
      slot.job = job;
      slot.timer = setTimeout(() => this.#fail(slot as Slot, new TimeoutError(`extraction took longer than ${this.#taskTimeoutMs} ms`)), this.#taskTimeoutMs);
      slot.worker.postMessage({ id: job.id, ...job.input });
    }
  }

  #spawn(): Slot {
    const worker = new Worker(workerFile());
    // An idle pool must not keep the process alive.
    worker.unref();
    const slot: Slot = { worker, job: undefined, timer: undefined };
    worker.on('message', (message: { id: number; result?: Extracted; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      this.#finish(slot);
      if (message.error !== undefined) job.reject(new PluginError('http', `cannot extract the page: ${message.error}`, { statusCode: 422 }));
      else job.resolve(message.result as Extracted);
      this.#drain();
    });
    worker.on('error', (error) => this.#fail(slot, new PluginError('http', `extraction worker crashed: ${error.message}`, { cause: error })));
    this.#slots.push(slot);
    return slot;
  }

  #finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  #fail(slot: Slot, error: Error): void {
    const job = slot.job;
    this.#finish(slot);
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    void slot.worker.terminate();
    job?.reject(error);
    if (!this.#closed) this.#drain();
  }
}

/**
 * The compiled worker next to this module. Under the test runner this module is TypeScript source, which a
 * worker thread cannot load, so the build's copy in dist/ is used (`npm test` builds first).
 */
function workerFile(): string {
  const beside = fileURLToPath(new URL('./extract-worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../dist/plugins/browse/extract-worker.js', import.meta.url));
}
