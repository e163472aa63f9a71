import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedLedger } from '../../src/cluster/shared-ledger.js';
import { RedisConnection } from '../../src/cluster/redis-connection.js';
import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';
import { silentLogger } from '../../src/logger.js';
import { ledgerEntry } from '../helpers/ledger-entry.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';

if (!redisServerPath) console.warn(redisMissingMessage);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function entry(at: number, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return ledgerEntry({ at: new Date(at).toISOString(), completionTokens: 20, ...overrides });
}

describe.skipIf(!redisServerPath)("a cluster's shared ledger in Redis", () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  beforeAll(async () => {
    redis = await startRedis();
    connection = await RedisConnection.open({ url: redis.url, logger: silentLogger() });
  });
  afterAll(async () => {
    await connection?.close();
    await redis?.stop();
  });

  it('holds a bounded number of keys for a cluster busy every hour for 70 days, and loses no call', async () => {
    const ledger = new SharedLedger({ connection, prefix: 'bounded', logger: silentLogger() });
    const now = Date.now();
    const calls = (70 * DAY) / (60 * MINUTE);
    for (let index = 0; index < calls; index += 1) ledger.add(entry(now - 70 * DAY + index * 60 * MINUTE + 1));
    // Cached replays and model ids with a slash, a colon and a space count as the local ledger counts them.
    ledger.add(entry(now, { cached: true, costUsd: 0 }));
    ledger.add(entry(now, { provider: 'local', model: 'org/llama3.1:8b q4', costUsd: 0, costUnknown: true }));
    await ledger.flush();

    const totals = await ledger.totals();
    expect(totals.total.calls).toBe(calls + 1);
    expect(totals.byProvider.openai?.promptTokens).toBe(calls * 100);
    expect(totals.byModel['openai/gpt-4o-mini']?.costUsd).toBeCloseTo(calls * 0.001, 6);
    expect(totals.byModel['local/org/llama3.1:8b q4']).toEqual({
      calls: 1,
      promptTokens: 100,
      completionTokens: 20,
      costUsd: 0,
      costUnknown: true,
    });

    // The (hourly) minutes of 2 days and an hour, the hours of 61 days, 71 days, the totals and 3 indexes; each call is
    // counted once, in the finest bucket still held.
    const keys = await connection.client.keys('bounded:*');
    expect(keys.length).toBeLessThanOrEqual(49 + 61 * 24 + 71 + 4);
    const daily = await ledger.series({ bucketSeconds: 86_400 });
    expect(daily.buckets.reduce((sum, bucket) => sum + bucket.total.calls, 0)).toBe(calls + 1);
    const hourly = await ledger.series({ bucketSeconds: 3600, since: new Date(now - DAY) });
    expect(hourly.buckets.length).toBeGreaterThanOrEqual(24);
    expect(hourly.buckets.at(-1)?.byModel['local/org/llama3.1:8b q4']?.calls).toBe(1);
  });

  it("shows one member's calls to another as soon as they are recorded", async () => {
    const writer = new SharedLedger({ connection, prefix: 'two', logger: silentLogger() });
    const reader = new SharedLedger({ connection, prefix: 'two', logger: silentLogger() });
    writer.add(entry(Date.now()));
    writer.add(entry(Date.now(), { model: 'gpt-4o', costUsd: 0.5 }));
    await writer.flush();
    const totals = await reader.totals();
    expect(totals.total).toMatchObject({ calls: 2, promptTokens: 200, completionTokens: 40 });
    expect(totals.total.costUsd).toBeCloseTo(0.501, 9);
    const series = await reader.series({ bucketSeconds: 60 });
    expect(series.buckets.map((bucket) => Object.keys(bucket.byModel).sort())).toEqual([
      ['openai/gpt-4o', 'openai/gpt-4o-mini'],
    ]);
  });
});
