import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { StoreError, storeWriteError } from '../errors.js';

/** A corrupt line skipped when a log was opened: where it was and why it was refused. */
export interface CorruptLine {
  byte: number;
  reason: string;
}

/** How the log writes; replaceable so that tests can make the disk fill up. @default fs.writeSync */
export type WriteFunction = (fd: number, data: Buffer) => number;

/**
 * An append-only JSON Lines file. An append writes one line at the end and never touches what is before it,
 * so it costs the same with 100,000 entries stored as with none. An append is all or nothing: a write that
 * fails or is cut short (a full disk) is rolled back to the last complete line, so the file always reads back
 * as whole entries; a crash mid-append leaves a partial last line, which opening the log cuts off.
 *
 * Writes are synchronous on purpose: "persisted before anything builds on it" (a step's answer must be on
 * disk before the next step starts), and one small write(2) on an O_APPEND descriptor takes microseconds.
 */
export class AppendLog<T> {
  readonly file: string;
  #fd: number;
  #count: number;
  #bytes: number;
  #closed = false;
  readonly #write: WriteFunction;

  private constructor(file: string, fd: number, count: number, bytes: number, write: WriteFunction) {
    this.file = file;
    this.#fd = fd;
    this.#count = count;
    this.#bytes = bytes;
    this.#write = write;
  }

  /**
   * Opens (creating) the log and returns it with its entries. `parse` validates one entry; a line it rejects
   * in the middle of the log is skipped and listed in `corrupt` (the caller reports it), never a refusal to
   * open: one bad line must not keep the daemon from starting.
   */
  static open<T>(
    file: string,
    parse: (value: unknown) => T = (value) => value as T,
    options: { write?: WriteFunction } = {},
  ): { log: AppendLog<T>; entries: T[]; corrupt: CorruptLine[] } {
    let fd: number;
    try {
      fd = openSync(file, 'a+', 0o600);
    } catch (error) {
      throw storeWriteError(`cannot open ${file}`, error);
    }
    const { entries, corrupt, validBytes } = readEntries(file, fd, parse);
    return {
      log: new AppendLog<T>(file, fd, entries.length, validBytes, options.write ?? writeSync),
      entries,
      corrupt,
    };
  }

  /** Number of entries in the log. */
  get size(): number {
    return this.#count;
  }

  /** Appends one entry, whole or not at all; returns its 1-based position. */
  append(entry: T): number {
    return this.appendAll([entry]);
  }

  /** Appends entries with one write(2), all whole or none at all; returns the last one's 1-based position. */
  appendAll(entries: readonly T[]): number {
    if (this.#closed) throw new StoreError(`${this.file} is closed`);
    let text = '';
    for (const entry of entries) text += `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.from(text);
    let written = 0;
    try {
      while (written < bytes.length) {
        const count = this.#write(this.#fd, written === 0 ? bytes : bytes.subarray(written));
        if (count <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        written += count;
      }
    } catch (error) {
      // A failed write(2) may still have put part of the line on disk: always cut back to the last whole line.
      this.#rollBack();
      throw storeWriteError(`cannot append to ${this.file}`, error);
    }
    this.#bytes += bytes.length;
    this.#count += entries.length;
    return this.#count;
  }

  /** Reads every entry back from disk (for replays that are not kept in memory). */
  readAll(parse: (value: unknown) => T = (value) => value as T): T[] {
    return AppendLog.read(this.file, parse);
  }

  /** Reads a log's entries without opening it for writing; a missing file has none, corrupt lines are skipped. */
  static read<T>(file: string, parse: (value: unknown) => T = (value) => value as T): T[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot read ${file}`, { cause: error });
    }
    return parseLines(text, parse).entries;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  /** Cuts a partly written line off, back to the last complete one. */
  #rollBack(): void {
    try {
      ftruncateSync(this.#fd, this.#bytes);
    } catch {
      // Truncating frees space and cannot fail for lack of it; if it still fails, the next open cuts the line.
    }
  }
}

function readEntries<T>(
  file: string,
  fd: number,
  parse: (value: unknown) => T,
): { entries: T[]; corrupt: CorruptLine[]; validBytes: number } {
  const text = readFileSync(file, 'utf8');
  const parsed = parseLines(text, parse);
  if (parsed.validBytes < fstatSync(fd).size) {
    // A torn last line from a crash mid-append: drop it so the next append starts on a line of its own.
    ftruncateSync(fd, parsed.validBytes);
  }
  return parsed;
}

function parseLines<T>(
  text: string,
  parse: (value: unknown) => T,
): { entries: T[]; corrupt: CorruptLine[]; validBytes: number } {
  const entries: T[] = [];
  const corrupt: CorruptLine[] = [];
  let start = 0;
  let validBytes = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    // No newline: the append was torn. Whatever it holds is not a committed entry.
    if (end === -1) break;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      try {
        entries.push(parse(JSON.parse(line)));
      } catch (error) {
        corrupt.push({
          byte: validBytes,
          reason: error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid') : String(error),
        });
      }
    }
    start = end + 1;
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { entries, corrupt, validBytes };
}
