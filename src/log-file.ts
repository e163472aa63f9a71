import { closeSync, openSync, writeSync } from 'node:fs';
import { endOfTurn } from './end-of-turn.js';

/** After a failed write or open, how long the file is left alone before it is tried again. */
const RETRY_MS = 1_000;

/**
 * The daemon's log file, as pino's destination: the lines logged during one turn of the event loop are
 * appended with one write(2) when the turn ends. An `fs.WriteStream` hands each write to libuv's thread pool;
 * waking a pool thread and then the loop again for a request's log line cost more than the rest of the line
 * (a closed loop of four proxied calls in flight: a third of the daemon's CPU per call, docs/BENCHMARKS.md).
 * A crash loses at most the lines of the turn it happened in; `process.exit` loses none ('exit' writes them).
 *
 * A file that cannot be written (a full disk, a removed folder) degrades logging instead of ending the
 * process: the first failure is said once on standard error (what `daemon.out` keeps), lines are dropped,
 * and the file is tried again a second later.
 */
export class LogFile {
  readonly file: string;
  #fd: number | undefined;
  #lines: string[] = [];
  readonly #flushSoon = endOfTurn(() => this.flush());
  #closed = false;
  #reported = false;
  #retryAt = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** Queues a line (pino's lines end with a newline) for the end of this turn. */
  write(line: string): boolean {
    if (this.#closed) return true;
    this.#lines.push(line);
    this.#flushSoon();
    return true;
  }

  /** Writes the queued lines now; pino calls it with a callback (`logger.flush`). */
  flush(callback?: (error?: Error) => void): void {
    const lines = this.#lines;
    if (lines.length > 0) {
      this.#lines = [];
      this.#append(lines.length === 1 ? (lines[0] as string) : lines.join(''));
    }
    callback?.();
  }

  /** Writes what is queued and closes the file; lines logged later are dropped. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #append(text: string): void {
    if (this.#closed || (this.#retryAt !== 0 && Date.now() < this.#retryAt)) return;
    try {
      this.#fd ??= openSync(this.file, 'a', 0o600);
      const bytes = Buffer.from(text);
      let written = 0;
      while (written < bytes.length) {
        const count = writeSync(this.#fd, bytes, written);
        // As `AppendLog` does: a write that takes nothing is a full disk, not a reason to try again at once.
        if (count <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        written += count;
      }
      this.#reported = false;
      this.#retryAt = 0;
    } catch (error) {
      this.#retryAt = Date.now() + RETRY_MS;
      if (this.#reported) return;
      this.#reported = true;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      process.stderr.write(`agentd: cannot write the log file ${this.file}: ${code}; logging is degraded\n`);
    }
  }
}
