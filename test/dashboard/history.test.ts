import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/daemon/services.js';
import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';
import { LimitHistory, type ProviderState } from '../../src/gateway/limit-history.js';
import { UsageHistory } from '../../src/gateway/usage-history.js';
import { openApiDocument } from '../../src/server/openapi.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { auth, buildTestApp } from '../helpers/services.js';
import { ledgerEntry } from '../helpers/ledger-entry.js';

function entry(overrides: Partial<LedgerEntry>): LedgerEntry {
  return ledgerEntry({ at: '2026-01-01T10:00:30.000Z', completionTokens: 20, costUsd: 0.01, ...overrides });
}

describe('usage over time', () => {
  it('sums paid calls into buckets per model, oldest first, leaving cached replays out', () => {
    const history = new UsageHistory([entry({}), { not: 'an entry' }]);
    history.add(entry({ at: '2026-01-01T10:20:00.000Z', model: 'gpt-4o', costUsd: 0.5 }));
    history.add(entry({ at: '2026-01-01T09:59:00.000Z' }));
    history.add(entry({ at: '2026-01-01T10:40:00.000Z', cached: true, costUsd: 0 }));

    const hourly = history.series({ bucketSeconds: 3600 });
    expect(hourly.buckets.map((bucket) => bucket.start)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
    expect(hourly.buckets[1]?.total).toEqual({ calls: 2, promptTokens: 200, completionTokens: 40, costUsd: 0.51 });
    expect(Object.keys(hourly.buckets[1]?.byModel ?? {})).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o']);

    const recent = history.series({ bucketSeconds: 60, since: new Date('2026-01-01T10:10:00.000Z') });
    expect(recent.buckets).toHaveLength(1);
    expect(recent.buckets[0]?.start).toBe('2026-01-01T10:20:00.000Z');
  });
});

describe('usage over a long life', () => {
  it('holds a bounded number of buckets for a daemon busy every minute for 70 days, and loses no call', () => {
    const history = new UsageHistory();
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const minutes = 70 * 24 * 60;
    for (let minute = 0; minute < minutes; minute += 1)
      history.add(entry({ at: new Date(start + minute * 60_000 + 5_000).toISOString(), costUsd: 0.001 }));
    // Folding starts above 5,000 buckets and leaves 2 days of minutes, 58 days of hours and the older days.
    expect(history.size).toBeLessThanOrEqual(5_001);
    const daily = history.series({ bucketSeconds: 86_400 });
    expect(daily.buckets).toHaveLength(70);
    expect(daily.buckets.reduce((sum, bucket) => sum + bucket.total.calls, 0)).toBe(minutes);
    // The last day is still there minute by minute.
    const lastHour = history.series({ bucketSeconds: 60, since: new Date(start + (minutes - 60) * 60_000) });
    expect(lastHour.buckets).toHaveLength(60);
  });
});

describe('the limiter over the last minutes', () => {
  const state: ProviderState = {
    name: 'openai',
    type: 'openai',
    limits: { rpm: 60, tpm: 10_000, concurrency: 4 },
    inFlight: 2,
    queued: 3,
    pace: 1,
    concurrencyCap: 4,
    pausedUntil: null,
  };

  it("samples every interval: the last minute's calls, tokens, waits and 429s against the limits", async () => {
    const clock = new ManualClock();
    const history = new LimitHistory({ clock, providers: () => [state], intervalMs: 5_000, keepMs: 20_000 });
    history.start();
    history.record(entry({ rateLimited: 2, waitedMs: 1500 }));
    await clock.advance(5_000);
    history.record(entry({ promptTokens: 10, completionTokens: 10 }));
    history.record(entry({ cached: true }));
    await clock.advance(5_000);
    const [provider] = history.snapshot();
    expect(
      provider?.samples.map((sample) => [sample.requests, sample.tokens, sample.rateLimited, sample.waitedMs]),
    ).toEqual([
      [1, 120, 2, 1500],
      [2, 140, 2, 1500],
      [2, 140, 2, 1500],
    ]);
    expect(provider?.samples[0]).toMatchObject({
      rpmLimit: 60,
      tpmLimit: 10_000,
      inFlight: 2,
      queued: 3,
      pausedUntil: null,
    });
    expect(provider?.totals).toEqual({ calls: 2, rateLimited: 2, waitedMs: 1500 });

    // A minute later the counts have rolled off, and only `keepMs` of samples are kept (plus the one taken now).
    await clock.advance(60_000);
    const later = history.snapshot()[0];
    expect(later?.samples).toHaveLength(5);
    expect(later?.samples.at(-1)).toMatchObject({ requests: 0, tokens: 0 });
    history.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('the history routes, over a real socket', () => {
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let base: string;
  beforeAll(async () => {
    ({ app, services, close } = await buildTestApp({ budget: { totalUsd: 5 } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => close());

  it('answers usage per bucket and model with the budget, from what the ledger records, and validates its query', async () => {
    const empty = await fetch(`${base}/v1/usage/history?bucketSeconds=60`, { headers: auth });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ bucketSeconds: 60, buckets: [], budget: { totalUsd: 5, perRunUsd: null } });

    services.gateway.ledger.record(entry({ at: new Date().toISOString(), provider: 'local', model: 'llama3.1' }));
    const after = await fetch(
      `${base}/v1/usage/history?bucketSeconds=60&since=${encodeURIComponent(new Date(Date.now() - 120_000).toISOString())}`,
      { headers: auth },
    );
    const body = (await after.json()) as {
      buckets: Array<{ total: { calls: number }; byModel: Record<string, unknown> }>;
    };
    expect(body.buckets).toHaveLength(1);
    expect(body.buckets[0]?.total.calls).toBe(1);
    expect(Object.keys(body.buckets[0]?.byModel ?? {})).toEqual(['local/llama3.1']);
    const limits = (await (await fetch(`${base}/v1/limits/history`, { headers: auth })).json()) as {
      providers: Array<{ totals: { calls: number }; samples: Array<{ requests: number }> }>;
    };
    expect(limits.providers[0]?.totals.calls).toBe(1);
    expect(limits.providers[0]?.samples.at(-1)?.requests).toBe(1);

    const bad = await fetch(`${base}/v1/usage/history?bucketSeconds=5`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'bucketSeconds: expected at least 60 seconds',
    );
    expect((await fetch(`${base}/v1/usage/history`)).status).toBe(401);
  });

  it("answers each provider's limiter history, ending with a sample taken now", async () => {
    const response = await fetch(`${base}/v1/limits/history`, { headers: auth });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      intervalMs: number;
      providers: Array<{ name: string; samples: unknown[] }>;
    };
    expect(body.intervalMs).toBe(5_000);
    expect(body.providers.map((provider) => provider.name)).toEqual(['local']);
    expect(body.providers[0]?.samples.length).toBeGreaterThanOrEqual(1);
  });

  it('describes both routes and the login in the OpenAPI document', () => {
    const paths = openApiDocument().paths as Record<string, unknown>;
    for (const path of ['/v1/usage/history', '/v1/limits/history', '/v1/dashboard/login', '/login', '/'])
      expect(paths).toHaveProperty([path]);
  });
});
