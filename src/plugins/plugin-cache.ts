import { AbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import { FileCache } from '../store/file-cache.js';
import type {
  BrowseOptions,
  BrowsePlugin,
  Page,
  SearchOptions,
  SearchPlugin,
  SearchResult,
  WikiArticle,
  WikiOptions,
  WikiPlugin,
} from './plugin-types.js';

/**
 * Caches in front of any plugin, shared by every run for `ttlMs`: a page two runs read is fetched once, and
 * a second run of a topic sees the same search results and articles as the first (so it asks the same
 * prompts, which the LLM cache then answers). Concurrent requests for one key share one load.
 *
 * Cancellation is per waiter: each caller races the shared load against its own signal, so cancelling one
 * run never fails another waiting on the same page. The load has a signal of its own, aborted only when its
 * last waiter has gone.
 */
class Memo<T> {
  readonly #cache: FileCache<T>;
  readonly #logger: Logger;
  readonly #inFlight = new Map<string, SharedLoad<T>>();

  constructor(directory: string, ttlMs: number, logger: Logger) {
    this.#cache = new FileCache<T>(directory, ttlMs);
    this.#logger = logger;
  }

  async get(key: string, load: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortError('the operation was cancelled', { cause: signal.reason });
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    let shared = this.#inFlight.get(key);
    if (!shared) {
      shared = this.#start(key, load);
      this.#inFlight.set(key, shared);
    }
    return this.#wait(key, shared, signal);
  }

  #start(key: string, load: (signal: AbortSignal) => Promise<T>): SharedLoad<T> {
    const controller = new AbortController();
    const promise = load(controller.signal).then((value) => {
      try {
        this.#cache.set(key, value);
      } catch (error) {
        // A cache that cannot be written costs a refetch later, nothing more.
        this.#logger.warn({ err: error, key }, 'cache write failed');
      }
      return value;
    });
    const shared: SharedLoad<T> = { promise, controller, waiters: 0 };
    // Settled loads leave the map; a load every waiter left has already been removed (see #wait).
    const forget = () => {
      if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
    };
    promise.then(forget, forget);
    return shared;
  }

  #wait(key: string, shared: SharedLoad<T>, signal: AbortSignal | undefined): Promise<T> {
    if (!signal) {
      // A caller that cannot cancel keeps the load alive for good.
      shared.waiters = Number.POSITIVE_INFINITY;
      return shared.promise;
    }
    shared.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        shared.waiters -= 1;
        if (shared.waiters === 0) {
          // Nobody wants it any more: stop the load, and let the next caller start a fresh one.
          if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
          shared.controller.abort(signal.reason);
        }
        reject(new AbortError('the operation was cancelled', { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

interface SharedLoad<T> {
  promise: Promise<T>;
  /** Aborts the load itself; only when every waiter has gone. */
  controller: AbortController;
  waiters: number;
}

export function cachedBrowse(inner: BrowsePlugin, directory: string, ttlMs: number, logger: Logger): BrowsePlugin {
  const memo = new Memo<Page>(directory, ttlMs, logger);
  return {
    name: inner.name,
    browse: (url: string, options: BrowseOptions = {}) =>
      memo.get(url, (signal) => inner.browse(url, { ...options, signal }), options.signal),
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

export function cachedSearch(inner: SearchPlugin, directory: string, ttlMs: number, logger: Logger): SearchPlugin {
  const memo = new Memo<SearchResult[]>(directory, ttlMs, logger);
  return {
    name: inner.name,
    search: (query: string, options: SearchOptions = {}) =>
      memo.get(
        JSON.stringify([query, options.limit ?? null, options.language ?? null]),
        (signal) => inner.search(query, { ...options, signal }),
        options.signal,
      ),
  };
}

export function cachedWiki(inner: WikiPlugin, directory: string, ttlMs: number, logger: Logger): WikiPlugin {
  // `null` stands for "no article", so that a miss is remembered too.
  const memo = new Memo<WikiArticle | null>(directory, ttlMs, logger);
  return {
    name: inner.name,
    lookup: async (query: string, options: WikiOptions = {}) =>
      (await memo.get(
        JSON.stringify([query, options.language ?? 'en']),
        async (signal) => (await inner.lookup(query, { ...options, signal })) ?? null,
        options.signal,
      )) ?? undefined,
  };
}
