import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A key-value cache on disk: one JSON file per key (named by its SHA-256), written atomically (temporary
 * file, then rename), so it survives restarts and a crash never leaves half an entry. Entries older than
 * `ttlMs` are ignored. Used for pages, search results and LLM answers shared across runs.
 */
export class FileCache<T> {
  readonly #directory: string;
  readonly #ttlMs: number;

  constructor(directory: string, ttlMs = Number.POSITIVE_INFINITY) {
    this.#directory = directory;
    this.#ttlMs = ttlMs;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  get(key: string): T | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.#file(key), 'utf8')) as { key: string; at: number; value: T };
      if (entry.key !== key || Date.now() - entry.at >= this.#ttlMs) return undefined;
      return entry.value;
    } catch {
      return undefined;
    }
  }

  /** Stores `value`; throws if the disk refuses (callers that can do without the cache catch it). */
  set(key: string, value: T): void {
    const file = this.#file(key);
    writeFileSync(`${file}.tmp`, JSON.stringify({ key, at: Date.now(), value }), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  #file(key: string): string {
    return path.join(this.#directory, `${createHash('sha256').update(key).digest('hex')}.json`);
  }
}
