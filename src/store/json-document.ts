import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { StoreError, storeWriteError } from '../errors.js';

/**
 * One JSON document on disk through lowdb. Writes go through steno: the whole document is written to a
 * temporary file and renamed over the old one, so a crash mid-write leaves the previous version intact.
 * Concurrent writes are coalesced: only the newest data is written once the current write finishes.
 */
export class JsonDocument<T> {
  readonly file: string;
  readonly #db: Low<T>;

  private constructor(file: string, db: Low<T>) {
    this.file = file;
    this.#db = db;
  }

  /**
   * Opens the document; `initial` is its data when the file does not exist yet. With `initial` null, a missing
   * file resolves to undefined instead.
   */
  static async open<T>(
    file: string,
    initial: T | null,
    parse: (value: unknown) => T = (value) => value as T,
  ): Promise<JsonDocument<T> | undefined> {
    const db = new Low<T | null>(new JSONFile<T | null>(file), initial);
    try {
      await db.read();
      if (db.data === null) return undefined;
      db.data = parse(db.data);
    } catch (error) {
      throw new StoreError(`cannot read ${file}`, { cause: error });
    }
    return new JsonDocument(file, db as Low<T>);
  }

  /** Opens a document that always exists once opened: `initial` is written on first use. */
  static async create<T>(file: string, initial: T, parse?: (value: unknown) => T): Promise<JsonDocument<T>> {
    return (await JsonDocument.open(file, initial, parse)) as JsonDocument<T>;
  }

  /** A document whose file is about to be written with `data`: nothing is read. */
  static of<T>(file: string, data: T): JsonDocument<T> {
    return new JsonDocument(file, new Low<T>(new JSONFile<T>(file), data));
  }

  get data(): T {
    return this.#db.data;
  }

  /** Replaces the document's data and writes it. */
  async set(data: T): Promise<void> {
    this.#db.data = data;
    await this.write();
  }

  async write(): Promise<void> {
    try {
      await this.#db.write();
    } catch (error) {
      throw storeWriteError(`cannot write ${this.file}`, error);
    }
  }
}
