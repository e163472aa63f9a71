import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.js';
import type { Config } from '../../src/config/load-config.js';
import { closeServices, createServices } from '../../src/daemon/services.js';
import { writeDaemonState } from '../../src/daemon/state-files.js';
import { ClusterError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { buildServer } from '../../src/server/build-server.js';
import { freePort } from '../helpers/free-port.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { auth, testConfig, TEST_TOKEN } from '../helpers/services.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

describe('cluster mode: starting a member', () => {
  it('refuses to start when the configured Redis is unreachable, and says why', async () => {
    const temp = makeTempDir();
    const port = await freePort();
    try {
      const config = testConfig(temp.dir, { cluster: { redis: `redis://127.0.0.1:${port}` } });
      const starting = createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
      await expect(starting).rejects.toBeInstanceOf(ClusterError);
      await expect(starting).rejects.toThrow(`cannot reach Redis at 127.0.0.1:${port} (cluster.redis)`);
    } finally {
      temp.cleanup();
    }
  });

  it('rejects a cluster.redis that is not a Redis URL, naming the key', () => {
    expect(() => testConfig('/tmp/x', { cluster: { redis: 'http://127.0.0.1:6379' } })).toThrow(
      /cluster\.redis: expected a Redis URL/,
    );
  });
});

if (!redisServerPath) console.warn(redisMissingMessage);

describe.skipIf(!redisServerPath)('cluster mode: two members over HTTP', () => {
  let redis: TestRedis;
  let upstream: WireServer;
  const temps: Array<{ cleanup: () => void }> = [];
  type Member = { url: string; close: () => Promise<void>; id: string; config: Config };
  const members: Member[] = [];

  async function startMember(): Promise<Member> {
    const temp = makeTempDir();
    temps.push(temp);
    const config = testConfig(temp.dir, {
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1`, limits: { tpm: 100_000, concurrency: 4 } } },
      pricing: { 'vllm/qwen': { input: 1000, output: 2000 } },
      models: { default: 'vllm/qwen' },
      budget: { totalUsd: 0.03 },
      cluster: { redis: redis.url, prefix: 'http-test' },
    });
    const services = await createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
    const app = await buildServer(services);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    services.url = url;
    services.cluster?.describe(url, () => services.runs.activeCount);
    writeDaemonState(temp.dir, { pid: process.pid, url, startedAt: services.startedAt.toISOString(), version: 'test' });
    return {
      url,
      config,
      id: services.cluster?.memberId ?? '',
      close: async () => {
        await app.close();
        await closeServices(services);
      },
    };
  }

  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startWireServer((_request, response) => {
      sendJson(response, 200, {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    });
    members.push(await startMember(), await startMember());
  });
  afterAll(async () => {
    for (const member of members) await member.close();
    await upstream.close();
    await redis.stop();
    for (const temp of temps) temp.cleanup();
  });

  it('lists every member and the spend of all of them in GET /v1/status', async () => {
    const [first, second] = members as [Member, Member];
    const completion = await fetch(`${first.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    });
    expect(completion.status).toBe(200);
    const status = (await (await fetch(`${second.url}/v1/status`, { headers: auth })).json()) as {
      cluster: {
        member: string;
        members: Array<{ id: string; url: string; runsRunning: number }>;
        usage: { calls: number; costUsd: number };
      };
    };
    expect(status.cluster.member).toBe(second.id);
    expect(status.cluster.members.map((member) => member.id).sort()).toEqual([first.id, second.id].sort());
    expect(status.cluster.members.find((member) => member.id === first.id)).toMatchObject({
      url: first.url,
      runsRunning: 0,
    });
    // 10 prompt tokens at $1,000/M and 5 completion tokens at $2,000/M.
    expect(status.cluster.usage).toMatchObject({ calls: 1 });
    expect(status.cluster.usage.costUsd).toBeCloseTo(0.02, 9);
  });

  it("shows every member's calls in GET /v1/usage and the usage history, on any member", async () => {
    const [first, second] = members as [Member, Member];
    // The call of the test above was made on the first member; the second shows it as its own ledger would.
    for (const member of [second, first]) {
      const usage = (await (await fetch(`${member.url}/v1/usage`, { headers: auth })).json()) as {
        calls: number;
        costUsd: number;
        byProvider: Record<string, { calls: number; promptTokens: number }>;
        byModel: Record<string, { calls: number; completionTokens: number; costUsd: number }>;
      };
      expect(usage).toMatchObject({ calls: 1, promptTokens: 10, completionTokens: 5 });
      expect(usage.costUsd).toBeCloseTo(0.02, 9);
      expect(usage.byProvider).toEqual({ vllm: { calls: 1, promptTokens: 10, completionTokens: 5, costUsd: 0.02 } });
      expect(Object.keys(usage.byModel)).toEqual(['vllm/qwen']);
      const history = (await (
        await fetch(`${member.url}/v1/usage/history?bucketSeconds=60`, { headers: auth })
      ).json()) as {
        buckets: Array<{ start: string; total: { calls: number }; byModel: Record<string, { calls: number }> }>;
      };
      expect(history.buckets).toHaveLength(1);
      expect(history.buckets[0]?.total.calls).toBe(1);
      expect(history.buckets[0]?.byModel['vllm/qwen']?.calls).toBe(1);
      expect(Date.now() - Date.parse(history.buckets[0]?.start ?? '')).toBeLessThan(10 * 60_000);
    }
  });

  it('refuses a call on one member that would cross the total budget with the spend made on another', async () => {
    const [, second] = members as [Member, Member];
    const response = await fetch(`${second.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    });
    expect(response.status).toBe(402);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('AGENTD_ERR_BUDGET');
    expect(body.error.message).toContain("cluster's total budget");
  });

  it("shows the members and the cluster's spend in agentd status", async () => {
    const [first, second] = members as [Member, Member];
    const printed: string[] = [];
    const code = await statusCommand(
      first.config,
      { json: false },
      { out: (text) => printed.push(text), error: (text) => printed.push(text) },
    );
    expect(code).toBe(0);
    const text = printed.join('\n');
    expect(text).toContain(`cluster "http-test" on Redis 127.0.0.1:${redis.port}, this member ${first.id}`);
    expect(text).toContain(`member ${second.id} on `);
    // The total budget is checked against the cluster's spend: it is shown there, not beside this member's.
    expect(text).toMatch(/cluster spend: \$0\.0200 of \$0\.03 \(budget\.totalUsd\) over 1 calls/);
    expect(text).toMatch(/\n {2}spend: \$\d+\.\d{4} over /);
  });
});
