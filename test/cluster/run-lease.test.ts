import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/cluster.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';

if (!redisServerPath) console.warn(redisMissingMessage);

/** Busies the event loop as a run's CPU work does (a tokenizer loading, a big page's tokens counted). */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

describe.skipIf(!redisServerPath)("cluster mode: a member's lease on the run it executes", () => {
  let redis: TestRedis;
  let client: Redis;
  let prefixCount = 0;
  const open: Cluster[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((cluster) => cluster.close()));
  });

  /** A member of a fresh cluster holding one run, and the warnings it logs. */
  async function holdRun(leaseTtlMs: number | undefined) {
    prefixCount += 1;
    const prefix = `lease${prefixCount}`;
    const warnings: string[] = [];
    const logger = pino(
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          const line = JSON.parse(chunk.toString()) as { level: number; msg: string };
          if (line.level >= 40) warnings.push(line.msg);
          done();
        },
      }),
    );
    const cluster = await Cluster.join({
      redis: redis.url,
      prefix,
      logger,
      totalUsd: undefined,
      ...(leaseTtlMs ? { leaseTtlMs } : {}),
    });
    open.push(cluster);
    const queue = await cluster.openRunQueue();
    const started: string[] = [];
    const lost: string[] = [];
    queue.listen({
      hasSlot: () => started.length === 0,
      start: (id) => started.push(id),
      cancel: () => undefined,
      lost: (id) => lost.push(id),
    });
    await queue.push('run-1', Promise.resolve()).queued;
    queue.schedule();
    await expect.poll(() => started, { timeout: 10_000 }).toEqual(['run-1']);
    return { warnings, lost, pttl: () => client.pttl(`${prefix}:run-lease:run-1`) };
  }

  it('renews the default 10 s lease every second, so that a busy event loop has 9 s before the run is lost', async () => {
    const held = await holdRun(undefined);
    let lowest = Number.POSITIVE_INFINITY;
    const until = Date.now() + 3_600;
    while (Date.now() < until) {
      lowest = Math.min(lowest, await held.pttl());
      await sleep(20);
    }
    // Renewed every 3.3 s before: the lease then fell to 6.7 s left between renewals.
    expect(lowest).toBeGreaterThan(8_000);
    expect(held.lost).toEqual([]);
  });

  it('keeps the run through a busy event loop shorter than the lease, and logs how long it went unrenewed', async () => {
    const held = await holdRun(1_500);
    await sleep(400);
    busyFor(1_000);
    await sleep(1_000);
    expect(held.lost).toEqual([]);
    expect(await held.pttl()).toBeGreaterThan(0);
    expect(held.warnings.some((message) => message.includes('went unrenewed for more than half'))).toBe(true);
  });
});
