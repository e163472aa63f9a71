import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { StoreError } from '../errors.js';

/**
 * An append-only JSON Lines file. An append writes one line at the end and never touches what is before it,
 * so it costs the same with 100,000 entries stored as with none. A crash mid-append can only leave a partial
 * last line; opening the log cuts it off, so the file always reads back as whole entries.
 *
 * Writes are synchronous on purpose: "persisted before anything builds on it" (a step's answer must be on
 * disk before the next step starts), and one small write(2) on an O_APPEND descriptor takes microseconds.
 */
export class AppendLog<T> {
  readonly file: string;
  #fd: number;
  #count: number;
  #closed = false;

  private constructor(file: string, fd: number, count: number) {
    this.file = file;
    this.#fd = fd;
    this.#count = count;
  }

  /**
   * Opens (creating) the log and returns it with its entries. `parse` validates one entry; a line it rejects,
   * other than a torn last line, is a corrupt store and fails loudly rather than dropping data silently.
   */
  static open<T>(file: string, parse: (value: unknown) => T = (value) => value as T): { log: AppendLog<T>; entries: T[] } {
    let fd: number;
    try {
      fd = openSync(file, 'a+', 0o600);
    } catch (error) {
      throw new StoreError(`cannot open ${file}`, { cause: error });
    }
    const entries = readEntries(file, fd, parse);
    return { log: new AppendLog<T>(file, fd, entries.length), entries };
  }

  /** Number of entries in the log. */
  get size(): number {
    return this.#count;
  }

  /** Appends one entry; returns its 1-based position. */
  append(entry: T): number {
    if (this.#closed) throw new StoreError(`${this.file} is closed`);
    const line = `${JSON.stringify(entry)}\n`;
    try {
      writeSync(this.#fd, line);
    } catch (error) {
      throw new StoreError(`cannot append to ${this.file}`, { cause: error });
    }
    this.#count += 1;
    return this.#count;
  }

  /** Reads every entry back from disk (for replays that are not kept in memory). */
  readAll(parse: (value: unknown) => T = (value) => value as T): T[] {
    return AppendLog.read(this.file, parse);
  }

  /** Reads a log's entries without opening it for writing; a missing file has none. */
  static read<T>(file: string, parse: (value: unknown) => T = (value) => value as T): T[] {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot read ${file}`, { cause: error });
    }
    return parseLines(text, file, parse).entries;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

function readEntries<T>(file: string, fd: number, parse: (value: unknown) => T): T[] {
  const text = readFileSync(file, 'utf8');
  const { entries, validBytes } = parseLines(text, file, parse);
  if (validBytes < fstatSync(fd).size) {
    // A torn last line from a crash mid-append: drop it so the next append starts on a line of its own.
    ftruncateSync(fd, validBytes);
  }
  return entries;
}

function parseLines<T>(text: string, file: string, parse: (value: unknown) => T): { entries: T[]; validBytes: number } {
  const entries: T[] = [];
  let start = 0;
  let validBytes = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const isLast = end === -1;
    const line = text.slice(start, isLast ? text.length : end);
    if (isLast) {
      // No newline: the append was torn. Whatever it holds is not a committed entry.
      break;
    }
    if (line.trim() !== '') {
      try {
        entries.push(parse(JSON.parse(line)));
      } catch (error) {
        throw new StoreError(`${file}: corrupt entry at byte ${Buffer.byteLength(text.slice(0, start))}`, { cause: error });
      }
    }
    start = end + 1;
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { entries, validBytes };
}
