import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PluginError, TimeoutError } from '../../src/errors.js';
import type { ExtractResult as Extracted, ExtractTask } from './extract-worker.js';

type TaskInput = ExtractTask extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

interface Job {
  id: number;
  input: TaskInput;
  resolve: (result: Extracted) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: ChildProcess;
  job: Job | undefined;
  /** The running job's deadline. */
  timer: NodeJS.Timeout | undefined;
  /** Ends the worker when it has had nothing to do for `idleMs`. */
  idleTimer: NodeJS.Timeout | undefined;
}

export interface ExtractionPoolOptions {
  /** Workers at most. */
  size: number;
  /** A task running longer is abandoned and its worker replaced. */
  taskTimeoutMs: number;
  /**
   * A worker with no task for this long exits; the next task starts one again. Each worker holds jsdom,
   * Readability and unpdf (tens of MB), which a daemon that browses now and then should not keep.
   * @default 60000
   */
  idleMs?: number;
  /** The worker's script (tests replace it). @default the compiled extract-worker.js */
  workerFile?: string;
}

/**
 * A pool of extraction workers with a FIFO queue. No worker runs until the first task; a worker that has been
 * idle for `idleMs` exits. A task that takes longer than `taskTimeoutMs` (a pathological page) terminates its
 * worker, which is replaced; a crashed worker is replaced too.
 */
export class ExtractionPool {
  readonly #size: number;
  readonly #taskTimeoutMs: number;
  readonly #idleMs: number;
  readonly #workerFile: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ExtractionPoolOptions) {
    this.#size = options.size;
    this.#taskTimeoutMs = options.taskTimeoutMs;
    this.#idleMs = options.idleMs ?? 60_000;
    this.#workerFile = options.workerFile ?? workerFile();
  }

  /** Workers alive now (0 before the first task and after an idle period). */
  get workerCount(): number {
    return this.#slots.length;
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
    await Promise.all(this.#slots.splice(0).map((slot) => this.#end(slot)));
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => !candidate.job);
      if (!slot && this.#slots.length < this.#size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift() as Job;
      const busy = slot;
      if (busy.idleTimer) clearTimeout(busy.idleTimer);
      busy.idleTimer = undefined;
      busy.job = job;
      busy.timer = setTimeout(
        () => this.#fail(busy, new TimeoutError(`extraction took longer than ${this.#taskTimeoutMs} ms`)),
        this.#taskTimeoutMs,
      );
      busy.worker.send({ id: job.id, ...job.input });
    }
  }

  #spawn(): Slot {
    // A process, not a worker thread: when a thread exits, glibc keeps what it had allocated in its malloc
    // arena (about 60 MB after 40 pages, for the daemon's life); a process's memory all goes back when it exits.
    const worker = fork(this.#workerFile, [], {
      // Structured clone, as worker threads had: PDF bytes travel as a Uint8Array.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Not the daemon's flags (an --inspect port would clash).
      execArgv: [],
    });
    // An idle pool must not keep the process alive.
    worker.unref();
    worker.channel?.unref();
    const slot: Slot = { worker, job: undefined, timer: undefined, idleTimer: undefined };
    worker.on('message', (message: { id: number; result?: Extracted; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      this.#finish(slot);
      if (message.error !== undefined)
        job.reject(new PluginError('http', `cannot extract the page: ${message.error}`, { statusCode: 422 }));
      else job.resolve(message.result as Extracted);
      this.#drain();
      if (!slot.job) this.#idle(slot);
    });
    worker.on('error', (error) =>
      this.#fail(slot, new PluginError('http', `extraction worker crashed: ${error.message}`, { cause: error })),
    );
    // A worker that exits on its own (out of memory, process.exit, killed) must not stay in the pool.
    worker.on('exit', (code, signal) => {
      if (this.#slots.includes(slot))
        this.#fail(slot, new PluginError('http', `extraction worker exited with ${signal ?? `code ${code}`}`));
    });
    this.#slots.push(slot);
    return slot;
  }

  #idle(slot: Slot): void {
    slot.idleTimer = setTimeout(() => {
      if (slot.job || !this.#slots.includes(slot)) return;
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      void this.#end(slot);
    }, this.#idleMs);
    slot.idleTimer.unref();
  }

  #finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  #fail(slot: Slot, error: Error): void {
    const job = slot.job;
    this.#finish(slot);
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    void this.#end(slot);
    job?.reject(error);
    if (!this.#closed) this.#drain();
  }

  /** Ends the worker process; the slot must already be out of `#slots`. */
  async #end(slot: Slot): Promise<void> {
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const worker = slot.worker;
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      // Held until it has exited: an unref'd child's exit is never seen by a process with nothing else to do (a
      // CLI command closing the plugins), which then ended with `close()` unresolved and its output unwritten.
      worker.ref();
      // SIGKILL: a worker stuck in a pathological page must not outlive its timeout.
      worker.kill('SIGKILL');
    });
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
