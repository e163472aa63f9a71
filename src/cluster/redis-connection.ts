import type { Redis as RedisClient } from 'ioredis';
import { AbortError, ClusterError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CancelSignal } from '../gateway/cancel-signal.js';

/** How long new work waits for a lost Redis before it fails with AGENTD_ERR_CLUSTER. @default 60000 */
export const DEFAULT_UNAVAILABLE_WAIT_MS = 60_000;
/** How long the start-up check waits for Redis to answer. */
const CONNECT_TIMEOUT_MS = 3_000;

export interface RedisConnectionOptions {
  url: string;
  logger: Logger;
  /** @default 60000 */
  unavailableWaitMs?: number;
}

/**
 * The cluster's one Redis connection (ioredis), with the policy for losing it: commands are never queued
 * offline (a limiter must not act on a stale answer), they fail at once, and `run` retries them until Redis
 * is back or the wait bound passes. ioredis is imported here only, so a daemon without `cluster` never loads it.
 */
export class RedisConnection {
  readonly client: RedisClient;
  /** `host:port` without credentials, for messages. */
  readonly where: string;
  readonly #logger: Logger;
  readonly #unavailableWaitMs: number;
  #lostSince: number | undefined;
  #closed = false;
  readonly #readyWaiters = new Set<() => void>();

  private constructor(client: RedisClient, where: string, options: RedisConnectionOptions) {
    this.client = client;
    this.where = where;
    this.#logger = options.logger;
    this.#unavailableWaitMs = options.unavailableWaitMs ?? DEFAULT_UNAVAILABLE_WAIT_MS;
    client.on('error', (error: Error) => {
      if (this.#lostSince !== undefined || this.#closed) return;
      this.#lostSince = Date.now();
      this.#logger.warn({ err: error, redis: where }, 'cluster: Redis lost; new work waits until it is back');
    });
    client.on('ready', () => {
      if (this.#lostSince !== undefined)
        this.#logger.info({ redis: where, lostMs: Date.now() - this.#lostSince }, 'cluster: Redis is back');
      this.#lostSince = undefined;
      for (const wake of this.#readyWaiters) wake();
      this.#readyWaiters.clear();
    });
  }

  /**
   * Connects and checks that Redis answers, or throws ClusterError saying why: with `cluster` set the daemon
   * refuses to start without its Redis, rather than running alone and exceeding the shared limits.
   */
  static async open(options: RedisConnectionOptions): Promise<RedisConnection> {
    const where = describeRedisUrl(options.url);
    const { Redis } = await import('ioredis');
    let started = false;
    const client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the start-up check passed, one failure is the answer; afterwards, keep reconnecting.
      retryStrategy: (times) => (started ? Math.min(100 * times, 1_000) : null),
    });
    // Until the check passed, a connection error is the answer to it, not an event to report (ioredis would
    // print an unhandled one).
    const ignoreUntilChecked = () => undefined;
    client.on('error', ignoreUntilChecked);
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new ClusterError(
        `cannot reach Redis at ${where} (cluster.redis): ${errorMessage(error)}; start Redis there or remove "cluster" from the config`,
        { cause: error },
      );
    }
    started = true;
    const connection = new RedisConnection(client, where, options);
    client.off('error', ignoreUntilChecked);
    return connection;
  }

  /** Redis answered the last command; false while it is lost. */
  get available(): boolean {
    return this.#lostSince === undefined && this.client.status === 'ready';
  }

  /**
   * Runs `operation`, retrying it while Redis is unreachable, for at most the wait bound; then throws
   * ClusterError. An error Redis itself answered (a script error) is not retried.
   */
  async run<T>(operation: () => Promise<T>, options: { signal?: CancelSignal | undefined } = {}): Promise<T> {
    const deadline = Date.now() + this.#unavailableWaitMs;
    for (;;) {
      if (options.signal?.aborted) throw new AbortError(undefined, { cause: options.signal.reason });
      try {
        return await operation();
      } catch (error) {
        if (isReplyError(error) || this.#closed) throw error;
        if (Date.now() >= deadline) {
          throw new ClusterError(
            `Redis at ${this.where} has been unreachable for ${Math.round(this.#unavailableWaitMs / 1000)} s: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        await this.#untilReady(Math.min(1_000, Math.max(1, deadline - Date.now())), options.signal);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#readyWaiters) wake();
    try {
      await this.client.quit();
    } catch {
      // Already disconnected: quitting has nothing left to do.
      this.client.disconnect();
    }
  }

  /** Resolves when Redis is ready again, after `ms`, or when the signal fires. */
  #untilReady(ms: number, signal: CancelSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#readyWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#readyWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** `host:port` of a Redis URL, never its password. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'an unparseable URL';
  }
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}
