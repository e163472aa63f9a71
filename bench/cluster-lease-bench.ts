import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Run } from '../src/types/run-record.js';
import { startTestDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { startFixtureWeb } from '../test/helpers/fixture-web.js';
import { redisMissingMessage, redisServerPath, startRedis } from '../test/helpers/redis-server.js';
import { startScriptedLlm } from '../test/helpers/scripted-llm.js';
import { submitRuns } from './submit-runs.js';

/**
 * `npm run bench:cluster-lease`: does a busy member keep its leases on the runs it executes? BENCH_MEMBERS real
 * daemons (default 1; `agentd start`, cluster members on a real redis-server, `runs.concurrency`
 * BENCH_CONCURRENCY, default 4) are given BENCH_RUNS runs (default 8, submitted to the first member) against a
 * fast scripted model (BENCH_LLM_LATENCY_MS, default 20 ms) and the local fixture web, so that their event loops
 * are as busy as runs make them (pages parsed, contexts built, steps and events written). Meanwhile the bench
 * reads the remaining time to live (PTTL) of every run lease in Redis every 20 ms: the lowest value seen is the
 * margin a member kept before losing a run; a rise of the PTTL is a renewal, and the longest time between two
 * is the renewal lag. Lost leases are counted from the daemons' logs. BENCH_LEASE_MS sets `cluster.leaseTtlMs`
 * (default: unset, the daemon's default).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LLM_LATENCY_MS = Number(process.env.BENCH_LLM_LATENCY_MS ?? 20);
const LEASE_MS = process.env.BENCH_LEASE_MS ? Number(process.env.BENCH_LEASE_MS) : undefined;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 900_000);
const PREFIX = 'lease-bench';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LeaseOutcome {
  leaseMs: number | 'default';
  members: number;
  runs: number;
  completed: number;
  /** Lowest PTTL seen on any run lease, ms. */
  minMarginMs: number | undefined;
  /** Longest time between two renewals of one lease, ms (as seen by 20 ms polling). */
  maxRenewalGapMs: number | undefined;
  renewals: number;
  leasesLost: number;
  resumedElsewhere: number;
  makespanMs: number;
}

async function main(): Promise<void> {
  if (!redisServerPath) {
    process.stderr.write(`${redisMissingMessage}\n`);
    process.exitCode = 1;
    return;
  }
  const { Redis } = await import('ioredis');
  const redis = await startRedis();
  const llm = await startScriptedLlm({ latencyMs: LLM_LATENCY_MS });
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
  const client = new Redis(redis.url);
  const members: TestDaemon[] = [];
  let daemon: TestDaemon | undefined;
  try {
    for (let index = 0; index < MEMBERS; index += 1)
      members.push(
        await startTestDaemon({
          providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-bench' } },
          models: { default: 'llm/bench-model' },
          plugins: web.plugins,
          cache: { llm: false },
          runs: { concurrency: CONCURRENCY },
          cluster: { redis: redis.url, prefix: PREFIX, ...(LEASE_MS ? { leaseTtlMs: LEASE_MS } : {}) },
        }),
      );
    daemon = members[0] as TestDaemon;
    const startedAt = Date.now();
    const ids = await submitRuns(daemon, RUNS);
    const last = new Map<string, { pttl: number; renewedAt: number }>();
    let minMargin: number | undefined;
    let maxGap: number | undefined;
    let renewals = 0;
    let done = false;
    const poller = (async () => {
      while (!done) {
        const now = Date.now();
        const pipeline = client.pipeline();
        for (const id of ids) pipeline.pttl(`${PREFIX}:run-lease:${id}`);
        const replies = (await pipeline.exec()) ?? [];
        ids.forEach((id, index) => {
          const pttl = Number(replies[index]?.[1] ?? -2);
          if (pttl < 0) {
            last.delete(id);
            return;
          }
          minMargin = Math.min(minMargin ?? pttl, pttl);
          const seen = last.get(id);
          if (seen && pttl > seen.pttl) {
            renewals += 1;
            maxGap = Math.max(maxGap ?? 0, now - seen.renewedAt);
            last.set(id, { pttl, renewedAt: now });
          } else if (seen) last.set(id, { pttl, renewedAt: seen.renewedAt });
          else last.set(id, { pttl, renewedAt: now });
        });
        await sleep(20);
      }
    })();
    const deadline = Date.now() + TIMEOUT_MS;
    let runs: Run[] = [];
    for (;;) {
      runs = await Promise.all(
        ids.map(async (id) => (await daemon?.request<Run>('GET', `/v1/runs/${id}`))?.body as Run),
      );
      if (runs.every((run) => run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled'))
        break;
      if (Date.now() > deadline) throw new Error(`runs not finished after ${TIMEOUT_MS} ms`);
      await sleep(250);
    }
    done = true;
    await poller;
    const log = members.map((member) => readFileSync(path.join(member.dataDir, 'agentd.log'), 'utf8')).join('\n');
    const outcome: LeaseOutcome = {
      leaseMs: LEASE_MS ?? 'default',
      members: MEMBERS,
      runs: ids.length,
      completed: runs.filter((run) => run.status === 'completed').length,
      minMarginMs: minMargin,
      maxRenewalGapMs: maxGap,
      renewals,
      leasesLost: (log.match(/lease on a run lost|run abandoned here after its lease expired/g) ?? []).length,
      resumedElsewhere: (log.match(/stopped renewing its lease on a run/g) ?? []).length,
      makespanMs: Date.now() - startedAt,
    };
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  } finally {
    client.disconnect();
    for (const member of members) await member.stop().catch(() => undefined);
    await web.close();
    await llm.close();
    await redis.stop();
  }
}

await main();
