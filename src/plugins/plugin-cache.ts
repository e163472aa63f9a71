import type { Logger } from '../logger.js';
import { FileCache } from '../store/file-cache.js';
import type { BrowseOptions, BrowsePlugin, Page, SearchOptions, SearchPlugin, SearchResult, WikiArticle, WikiOptions, WikiPlugin } from './plugin-types.js';

/**
 * Caches in front of any plugin, shared by every run for `ttlMs`: a page two runs read is fetched once, and
 * a second run of a topic sees the same search results and articles as the first (so it asks the same
 * prompts, which the LLM cache then answers). Concurrent requests for one key share one call.
 */
class Memo<T> {
  readonly #cache: FileCache<T>;
  readonly #logger: Logger;
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(directory: string, ttlMs: number, logger: Logger) {
    this.#cache = new FileCache<T>(directory, ttlMs);
    this.#logger = logger;
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const loading = load().then((value) => {
      try {
        this.#cache.set(key, value);
      } catch (error) {
        // A cache that cannot be written costs a refetch later, nothing more.
        this.#logger.warn({ err: error, key }, 'cache write failed');
      }
      return value;
    });
    this.#inFlight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.#inFlight.delete(key);
    }
  }
}

export function cachedBrowse(inner: BrowsePlugin, directory: string, ttlMs: number, logger: Logger): BrowsePlugin {
  const memo = new Memo<Page>(directory, ttlMs, logger);
  return { name: inner.name, browse: (url: string, options?: BrowseOptions) => memo.get(url, () => inner.browse(url, options)), close: () => inner.close?.() ?? Promise.resolve() };
}

export function cachedSearch(inner: SearchPlugin, directory: string, ttlMs: number, logger: Logger): SearchPlugin {
  const memo = new Memo<SearchResult[]>(directory, ttlMs, logger);
  return {
    name: inner.name,
    search: (query: string, options: SearchOptions = {}) => memo.get(JSON.stringify([query, options.limit ?? null, options.language ?? null]), () => inner.search(query, options)),
  };
}

export function cachedWiki(inner: WikiPlugin, directory: string, ttlMs: number, logger: Logger): WikiPlugin {
  // `null` stands for "no article", so that a miss is remembered too.
  const memo = new Memo<WikiArticle | null>(directory, ttlMs, logger);
  return {
    name: inner.name,
    lookup: async (query: string, options: WikiOptions = {}) => (await memo.get(JSON.stringify([query, options.language ?? 'en']), async () => (await inner.lookup(query, options)) ?? null)) ?? undefined,
  };
}
