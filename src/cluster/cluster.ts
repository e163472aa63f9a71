import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LimiterFactory } from '../gateway/limiter.js';
import type { Logger } from '../logger.js';
import type { Usage } from '../types/run-record.js';
import { ClusterRateLimiter } from './cluster-rate-limiter.js';
import { ClusterRunQueue } from './cluster-run-queue.js';
import { ClusterRunStore } from './cluster-run-store.js';
import { DEFAULT_LEASE_TTL_MS, LeaseKeeper } from './lease-keeper.js';
import { Members, type Member } from './members.js';
import { RedisConnection } from './redis-connection.js';
import { RunFence } from './run-fence.js';
import { SharedBudget } from './shared-budget.js';
import { SharedLedger } from './shared-ledger.js';
import { SharedLimits } from './shared-limits.js';

/** How often a member refreshes its record and its view of the shared limiter state. */
const HEARTBEAT_MS = 2_000;

export interface ClusterOptions {
  /** `cluster.redis` of the config. */
  redis: string;
  /** `cluster.prefix` of the config. */
  prefix: string;
  logger: Logger;
  /** `budget.totalUsd`, checked against the cluster's shared spend. */
  totalUsd: number | undefined;
  /** How long a dead member's reservations outlive it. @default 10000 */
  leaseTtlMs?: number;
  /** How long new work waits for a lost Redis. @default 60000 */
  unavailableWaitMs?: number;
}

/** What `/v1/status` and `agentd status` show of the cluster. */
export interface ClusterStatus {
  prefix: string;
  redis: string;
  member: string;
  redisAvailable: boolean;
  members: Member[];
  usage: Usage | null;
}

/**
 * This daemon as a member of a cluster: one Redis connection, the shared limiters and budget the gateway uses,
 * and the member's heartbeat (its record, lease renewals, shared limiter state for status pages).
 */
export class Cluster {
  readonly memberId: string;
  readonly prefix: string;
  readonly connection: RedisConnection;
  readonly budget: SharedBudget;
  /** Every member's calls, for `GET /v1/usage` and the usage history. */
  readonly ledger: SharedLedger;
  readonly #limits: SharedLimits;
  readonly #keeper: LeaseKeeper;
  readonly #members: Members;
  readonly #logger: Logger;
  readonly #limiters: ClusterRateLimiter[] = [];
  readonly #startedAt = new Date().toISOString();
  readonly #leaseTtlMs: number;
  /** The runs this member executes, shared by its run store (whose writes it checks) and its queue. */
  readonly #fence: RunFence;
  #queue: ClusterRunQueue | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #runsRunning: () => number = () => 0;
  #url: string | null = null;

  private constructor(connection: RedisConnection, options: ClusterOptions) {
    this.connection = connection;
    this.prefix = options.prefix;
    this.memberId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#logger = options.logger;
    this.#limits = new SharedLimits(connection, options.prefix);
    this.#leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.#fence = new RunFence(this.memberId, options.prefix);
    this.#keeper = new LeaseKeeper(this.#limits, options.logger, this.#leaseTtlMs);
    this.#members = new Members(connection, options.prefix);
    this.budget = new SharedBudget({
      connection,
      prefix: options.prefix,
      keeper: this.#keeper,
      logger: options.logger,
      totalUsd: options.totalUsd,
    });
    this.ledger = new SharedLedger({ connection, prefix: options.prefix, logger: options.logger });
  }

  /** Connects to Redis (or throws ClusterError saying why not) and announces this member. */
  static async join(options: ClusterOptions): Promise<Cluster> {
    const connection = await RedisConnection.open({
      url: options.redis,
      logger: options.logger,
      ...(options.unavailableWaitMs !== undefined ? { unavailableWaitMs: options.unavailableWaitMs } : {}),
    });
    const cluster = new Cluster(connection, options);
    await cluster.#beat();
    cluster.#heartbeat = setInterval(() => void cluster.#beat(), HEARTBEAT_MS);
    cluster.#heartbeat.unref();
    options.logger.info(
      { member: cluster.memberId, redis: connection.where, prefix: options.prefix },
      'cluster: joined',
    );
    return cluster;
  }

  /** The gateway's limiter factory: every provider's limits shared through Redis. */
  get limiters(): LimiterFactory {
    return (provider, limits) => {
      const limiter = new ClusterRateLimiter({
        provider,
        limits,
        shared: this.#limits,
        keeper: this.#keeper,
        logger: this.#logger,
      });
      this.#limiters.push(limiter);
      return limiter;
    };
  }

  /** The cluster's shared run store (records, events, steps in Redis). */
  openRunStore(): Promise<ClusterRunStore> {
    return ClusterRunStore.open(this.connection, this.prefix, this.#logger, this.#fence);
  }

  /** The cluster's run queue, with this member's leases on the runs it executes (closed with the cluster). */
  async openRunQueue(): Promise<ClusterRunQueue> {
    this.#queue ??= await ClusterRunQueue.open({
      connection: this.connection,
      prefix: this.prefix,
      fence: this.#fence,
      budget: this.budget,
      logger: this.#logger,
      leaseMs: this.#leaseTtlMs,
    });
    return this.#queue;
  }

  /** Tells the heartbeat what to report: this member's URL and how many runs it is executing. */
  describe(url: string | null, runsRunning: () => number): void {
    this.#url = url;
    this.#runsRunning = runsRunning;
    void this.#beat();
  }

  async status(): Promise<ClusterStatus> {
    const available = this.connection.available;
    let members: Member[] = [];
    let usage: Usage | null = null;
    if (available) {
      try {
        [members, usage] = await Promise.all([this.#members.list(), this.budget.usage()]);
      } catch (error) {
        this.#logger.warn({ err: error }, 'cluster: status not read from Redis');
      }
    }
    return {
      prefix: this.prefix,
      redis: this.connection.where,
      member: this.memberId,
      redisAvailable: available,
      members,
      usage,
    };
  }

  /** Leaves the cluster: stops the heartbeat, removes this member's record, closes the connection. */
  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#keeper.close();
    await this.ledger.close();
    await this.#queue?.close();
    if (this.connection.available) {
      try {
        await this.#members.leave(this.memberId);
      } catch (error) {
        this.#logger.warn({ err: error }, 'cluster: member record not removed; it expires by itself');
      }
    }
    await this.connection.close();
  }

  async #beat(): Promise<void> {
    if (!this.connection.available) return;
    try {
      await this.#members.announce({
        id: this.memberId,
        host: hostname(),
        pid: process.pid,
        url: this.#url,
        startedAt: this.#startedAt,
        runsRunning: this.#runsRunning(),
      });
      for (const limiter of this.#limiters) await limiter.refreshState();
    } catch (error) {
      this.#logger.debug({ err: error }, 'cluster: heartbeat missed');
    }
  }
}
