import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster.js';
import { BudgetError, ClusterError } from '../../src/errors.js';
import type { Limiter, LimiterFactory } from '../../src/gateway/limiter.js';
import { silentLogger } from '../../src/logger.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';

if (!redisServerPath) console.warn(redisMissingMessage);

describe.skipIf(!redisServerPath)('cluster mode: limits and spend shared through Redis', () => {
  let redis: TestRedis;
  let prefixCount = 0;
  const open: Cluster[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((cluster) => cluster.close()));
  });

  /** Two members of a fresh cluster (a new prefix per test, so tests share nothing). */
  async function members(
    options: { totalUsd?: number; leaseTtlMs?: number; unavailableWaitMs?: number; logLines?: string[] } = {},
  ): Promise<[Cluster, Cluster]> {
    prefixCount += 1;
    const lines = options.logLines;
    const logger = lines
      ? pino(
          new Writable({
            write: (chunk: Buffer, _encoding, done) => {
              lines.push(String((JSON.parse(chunk.toString()) as { msg: string }).msg));
              done();
            },
          }),
        )
      : silentLogger();
    const join = () =>
      Cluster.join({
        redis: redis.url,
        prefix: `test${prefixCount}`,
        logger,
        totalUsd: options.totalUsd,
        leaseTtlMs: options.leaseTtlMs ?? 600,
        ...(options.unavailableWaitMs ? { unavailableWaitMs: options.unavailableWaitMs } : {}),
      });
    const pair: [Cluster, Cluster] = [await join(), await join()];
    open.push(...pair);
    return pair;
  }

  function limiterOf(cluster: Cluster, limits: Parameters<LimiterFactory>[1]): Limiter {
    return cluster.limiters('openai', limits);
  }

  it('lets one member wait for the tokens another member just took from the shared bucket', async () => {
    const [first, second] = await members();
    // 60,000 TPM over a 1 s window: 1,000 tokens at once, refilled at 1 token per ms.
    const limits = { tpm: 60_000, burstSeconds: 1 };
    const lease = await limiterOf(first, limits).acquire({ flow: 'a', model: 'm', tokens: 1000 });
    expect(lease.waitedMs).toBeLessThan(200);
    lease.succeeded(1000);
    const other = await limiterOf(second, limits).acquire({ flow: 'b', model: 'm', tokens: 500 });
    expect(other.waitReason).toBe('tokens');
    expect(other.waitedMs).toBeGreaterThanOrEqual(400);
    other.succeeded(500);
  });

  it("caps requests in flight across members, and frees a dead member's slot when its lease expires", async () => {
    const [first, second] = await members({ leaseTtlMs: 400 });
    const held = await limiterOf(first, { concurrency: 1 }).acquire({ flow: 'a', model: 'm', tokens: 10 });
    expect(held.tokens).toBe(10);
    const startedAt = Date.now();
    const waiting = limiterOf(second, { concurrency: 1 }).acquire({ flow: 'b', model: 'm', tokens: 10 });
    // The first member dies holding its slot: no settle, no renewal.
    open.splice(open.indexOf(first), 1);
    await first.close();
    const lease = await waiting;
    expect(lease.waitReason).toBe('concurrency');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    lease.succeeded(10);
  });

  it("keeps a long call's slot while its member lives, by renewing the lease", async () => {
    const [first, second] = await members({ leaseTtlMs: 300 });
    const held = await limiterOf(first, { concurrency: 1 }).acquire({ flow: 'a', model: 'm', tokens: 10 });
    const controller = new AbortController();
    const waiting = limiterOf(second, { concurrency: 1 }).acquire({
      flow: 'b',
      model: 'm',
      tokens: 10,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 900));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'AGENTD_ERR_ABORTED' });
    held.succeeded(10);
  });

  it("serves the provider's queue in turn across members, not one member's backlog first", async () => {
    const [first, second] = await members();
    // 1,000 tokens at once, refilled in 100 ms: each request needs the whole bucket.
    const limits = { tpm: 600_000, burstSeconds: 0.1 };
    const order: string[] = [];
    const send = (limiter: Limiter, name: string) =>
      limiter.acquire({ flow: name, model: 'm', tokens: 1000 }).then((lease) => {
        order.push(name);
        lease.succeeded(1000);
      });
    const firstLimiter = limiterOf(first, limits);
    const secondLimiter = limiterOf(second, limits);
    await Promise.all([
      send(firstLimiter, 'a'),
      send(firstLimiter, 'a'),
      send(firstLimiter, 'a'),
      send(secondLimiter, 'b'),
      send(secondLimiter, 'b'),
      send(secondLimiter, 'b'),
    ]);
    // Each member's next request queues behind the other's waiting one: whichever asked first, neither gets
    // more than two ahead of the other (one member's backlog first would be three).
    let lead = 0;
    for (const name of order) {
      lead += name === 'a' ? 1 : -1;
      expect(Math.abs(lead)).toBeLessThanOrEqual(2);
    }
  });

  it('pauses every member after one of them is answered 429', async () => {
    const [first, second] = await members();
    const lease = await limiterOf(first, {}).acquire({ flow: 'a', model: 'm', tokens: 10 });
    lease.rateLimited(500, {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await limiterOf(second, {}).acquire({ flow: 'b', model: 'm', tokens: 10 });
    expect(next.waitReason).toBe('paused');
    expect(next.waitedMs).toBeGreaterThanOrEqual(300);
    next.succeeded(10);
  });

  it("learns a limit from one member's headers and applies it on another", async () => {
    const [first, second] = await members();
    const firstLimiter = limiterOf(first, {});
    const lease = await firstLimiter.acquire({ flow: 'a', model: 'm', tokens: 100 });
    // 600 tokens a minute refill the empty bucket by 10 a second: the 20 asked below are not there for 2 s,
    // however slowly a loaded machine gets from here to the request (at 6,000, 200 ms were too few).
    lease.succeeded(100, { tokens: { limit: 600, remaining: 0 }, requests: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const secondLimiter = limiterOf(second, {}) as Limiter & { refreshState(): Promise<void> };
    await secondLimiter.refreshState();
    expect(secondLimiter.state()).toMatchObject({ limits: { tpm: 600 }, learned: { tpm: true } });
    const next = await secondLimiter.acquire({ flow: 'b', model: 'm', tokens: 20 });
    expect(next.waitReason).toBe('tokens');
    next.succeeded(20);
  });

  it("lets a request for another model go ahead of one waiting only for its own model's shared limit", async () => {
    const [first, second] = await members();
    const limits = { models: { big: { tpm: 120_000, burstSeconds: 0.5 } } };
    const taken = await limiterOf(first, limits).acquire({ flow: 'a', model: 'big', tokens: 1000 });
    taken.succeeded(1000);
    const secondLimiter = limiterOf(second, limits);
    const order: string[] = [];
    const waitingForBig = secondLimiter.acquire({ flow: 'b', model: 'big', tokens: 500 }).then((lease) => {
      order.push('big');
      lease.succeeded(500);
    });
    const other = secondLimiter.acquire({ flow: 'c', model: 'small', tokens: 500 }).then((lease) => {
      order.push('small');
      lease.succeeded(500);
    });
    await Promise.all([waitingForBig, other]);
    expect(order).toEqual(['small', 'big']);
  });

  it('halves the shared in-flight cap after a 429, for every member', async () => {
    const [first, second] = await members();
    const limits = { concurrency: 4 };
    const leases = await Promise.all(
      [1, 2, 3].map(() => limiterOf(first, limits).acquire({ flow: 'a', model: 'm', tokens: 10 })),
    );
    for (const lease of leases.slice(1)) lease.succeeded(10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    leases[0]?.rateLimited(1, {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    const observer = limiterOf(second, limits) as Limiter & { refreshState(): Promise<void> };
    await observer.refreshState();
    expect(observer.state()).toMatchObject({ concurrencyCap: 2, limits: { concurrency: 4 } });
  });

  it('checks budget.totalUsd against the spend of every member', async () => {
    const [first, second] = await members({ totalUsd: 1 });
    const hold = await first.budget.hold(0.5);
    hold.charge?.(0.7, { promptTokens: 700, completionTokens: 0 });
    hold.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(second.budget.hold(0.4)).rejects.toBeInstanceOf(BudgetError);
    const small = await second.budget.hold(0.2);
    small.release();
    expect(await second.budget.usage()).toMatchObject({ calls: 1, promptTokens: 700, costUsd: 0.7 });
  });

  it("holds a run's in-flight worst case against its budget on every member", async () => {
    const [first, second] = await members();
    const run = { id: 'run1', budgetUsd: 0.5 };
    const inFlight = await first.budget.hold(0.4, run);
    await expect(second.budget.hold(0.2, run)).rejects.toMatchObject({ scope: 'run' });
    inFlight.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    (await second.budget.hold(0.2, run)).release();
  });

  it('makes new work wait while Redis is lost, logs it, and serves the work once Redis is back', async () => {
    const logLines: string[] = [];
    const [first] = await members({ unavailableWaitMs: 10_000, logLines });
    const limiter = limiterOf(first, { tpm: 60_000 });
    await redis.kill();
    const waiting = limiter.acquire({ flow: 'a', model: 'm', tokens: 10 });
    let settled = false;
    void waiting.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(logLines).toContain('cluster: Redis lost; new work waits until it is back');
    await redis.restart();
    const lease = await waiting;
    lease.succeeded(10);
    expect(first.connection.available).toBe(true);
    expect(logLines).toContain('cluster: Redis is back');
  });

  it('fails new work with AGENTD_ERR_CLUSTER once Redis has been lost longer than the wait bound', async () => {
    const [first] = await members({ unavailableWaitMs: 300 });
    const limiter = limiterOf(first, {});
    await redis.kill();
    try {
      await expect(limiter.acquire({ flow: 'a', model: 'm', tokens: 10 })).rejects.toBeInstanceOf(ClusterError);
    } finally {
      await redis.restart();
    }
  });
});
