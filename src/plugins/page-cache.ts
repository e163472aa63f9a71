import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { BrowseOptions, BrowsePlugin, Page } from './plugin-types.js';

/**
 * Pages by URL, kept for a TTL and shared by every run: a page two runs (or two queries of one run) read is
 * fetched once. One file per URL under the store's cache folder, written atomically, so the cache survives
 * restarts and a crash never leaves a half page. It wraps any browse plugin.
 */
export class CachedBrowse implements BrowsePlugin {
  readonly name: string;
  readonly #inner: BrowsePlugin;
  readonly #directory: string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  /** Fetches in progress, so concurrent requests for one URL share one download. */
  readonly #inFlight = new Map<string, Promise<Page>>();

  constructor(inner: BrowsePlugin, directory: string, ttlMs: number, logger: Logger) {
    this.name = inner.name;
    this.#inner = inner;
    this.#directory = directory;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  async browse(url: string, options: BrowseOptions = {}): Promise<Page> {
    const cached = this.#read(url);
    if (cached) return cached;
    const pending = this.#inFlight.get(url);
    if (pending) return pending;
    const fetching = this.#inner.browse(url, options).then((page) => {
      this.#write(url, page);
      return page;
    });
    this.#inFlight.set(url, fetching);
    try {
      return await fetching;
    } finally {
      this.#inFlight.delete(url);
    }
  }

  close(): Promise<void> {
    return this.#inner.close?.() ?? Promise.resolve();
  }

  #file(url: string): string {
    return path.join(this.#directory, `${createHash('sha256').update(url).digest('hex')}.json`);
  }

  #read(url: string): Page | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.#file(url), 'utf8')) as { fetchedAt: number; url: string; page: Page };
      if (entry.url !== url || Date.now() - entry.fetchedAt > this.#ttlMs) return undefined;
      return entry.page;
    } catch {
      return undefined;
    }
  }

  #write(url: string, page: Page): void {
    const file = this.#file(url);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ fetchedAt: Date.now(), url, page }), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // A cache that cannot be written costs a refetch later, nothing more.
      this.#logger.warn({ err: error, url }, 'page cache write failed');
    }
  }
}
