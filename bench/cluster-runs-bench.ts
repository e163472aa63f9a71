import { readDaemonState } from '../src/daemon/state-files.js';
import type { Run } from '../src/types/run-record.js';
import type { RunEvent } from '../src/types/run-events.js';
import { startTestDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { startFixtureWeb } from '../test/helpers/fixture-web.js';
import { redisMissingMessage, redisServerPath, startRedis } from '../test/helpers/redis-server.js';
import { startScriptedLlm } from '../test/helpers/scripted-llm.js';
import { submitRuns } from './submit-runs.js';

/**
 * `npm run bench:cluster`, part 2 (one run queue): three real daemons (`agentd start`), `runs.concurrency: 1`
 * each, members of one cluster on a real redis-server, against a local scripted model and a local web
 * (search, pages, wiki: test/helpers/fixture-web.ts). BENCH_RUNS runs (default 6) are all submitted to the
 * first member; once three run at once, the member executing one of them is killed with SIGKILL. Every run
 * must still complete: the dead member's run is resumed by another once its lease (3 s here) expires.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 6);
const LEASE_MS = 3_000;
const LLM_LATENCY_MS = Number(process.env.BENCH_LLM_LATENCY_MS ?? 400);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);

export interface RunsOutcome {
  runs: number;
  completed: number;
  failed: number;
  maxRunningAtOnce: number;
  membersUsed: number;
  resumedAfterKill: number;
  /** From the kill to the killed member's run starting again on another member. */
  resumeDelayMs: number | undefined;
  makespanMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runClusterRunsBench(): Promise<RunsOutcome | undefined> {
  if (!redisServerPath) {
    process.stderr.write(`${redisMissingMessage}\n`);
    return undefined;
  }
  const redis = await startRedis();
  const llm = await startScriptedLlm({ latencyMs: LLM_LATENCY_MS });
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
  const members: TestDaemon[] = [];
  try {
    const config = {
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-bench' } },
      models: { default: 'llm/bench-model' },
      plugins: web.plugins,
      runs: { concurrency: 1 },
      cluster: { redis: redis.url, prefix: 'runs-bench', leaseTtlMs: LEASE_MS },
    };
    for (let index = 0; index < 3; index += 1) members.push(await startTestDaemon(config));
    const entry = members[0] as TestDaemon;
    const startedAt = Date.now();
    const ids = await submitRuns(entry, RUNS);
    let maxRunning = 0;
    let killedAt: number | undefined;
    let killedRun: string | undefined;
    const membersUsed = new Set<string>();
    const deadline = Date.now() + TIMEOUT_MS;
    let runs: Run[] = [];
    for (;;) {
      runs = await Promise.all(ids.map(async (id) => (await entry.request<Run>('GET', `/v1/runs/${id}`)).body));
      const running = runs.filter((run) => run.status === 'running');
      maxRunning = Math.max(maxRunning, running.length);
      for (const run of runs) if (run.member) membersUsed.add(run.member);
      if (killedAt === undefined && running.length >= 3) {
        // Kill a member other than the one the runs were submitted to, in the middle of its run.
        const victim = members[1] as TestDaemon;
        const pid = readDaemonState(victim.dataDir)?.pid;
        const status = (await victim.request<{ cluster?: { member: string } }>('GET', '/v1/status')).body;
        killedRun = running.find((run) => run.member === status.cluster?.member)?.id;
        if (pid !== undefined && killedRun) {
          process.kill(pid, 'SIGKILL');
          killedAt = Date.now();
        }
      }
      if (runs.every((run) => run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled'))
        break;
      if (Date.now() > deadline) throw new Error(`runs not finished after ${TIMEOUT_MS} ms`);
      await sleep(100);
    }
    const makespanMs = Date.now() - startedAt;
    let resumeDelayMs: number | undefined;
    let resumed = 0;
    if (killedRun && killedAt !== undefined) {
      const events = await readEvents(entry, killedRun);
      const lost = events.find((event) => event.type === 'run-queued' && event.data.after === 'member-lost');
      if (lost) {
        resumed = 1;
        const restarted = events.find((event) => event.type === 'run-started' && event.seq > lost.seq);
        if (restarted) resumeDelayMs = Date.parse(restarted.at) - killedAt;
      }
    }
    return {
      runs: ids.length,
      completed: runs.filter((run) => run.status === 'completed').length,
      failed: runs.filter((run) => run.status !== 'completed').length,
      maxRunningAtOnce: maxRunning,
      membersUsed: membersUsed.size,
      resumedAfterKill: resumed,
      resumeDelayMs,
      makespanMs,
    };
  } finally {
    // The killed member's `stop` finds no daemon and only removes its folder.
    for (const member of members) await member.stop().catch(() => undefined);
    await web.close();
    await llm.close();
    await redis.stop();
  }
}

/** A run's events, replayed over the API's WebSocket until the stream closes (the run has ended). */
async function readEvents(daemon: TestDaemon, id: string): Promise<RunEvent[]> {
  const { default: WebSocket } = await import('ws');
  const events: RunEvent[] = [];
  const socket = new WebSocket(`${daemon.url.replace('http', 'ws')}/v1/runs/${id}/events?token=${daemon.token}`);
  socket.on('message', (data) => events.push(JSON.parse(String(data)) as RunEvent));
  await new Promise((resolve) => socket.on('close', resolve));
  return events;
}

export function formatClusterRunsTable(outcome: RunsOutcome): string {
  return [
    `One run queue: 3 daemons (agentd start, runs.concurrency 1 each), ${outcome.runs} runs submitted to the first, one member killed (SIGKILL) mid-run; lease ${LEASE_MS / 1000} s, scripted model ${LLM_LATENCY_MS} ms per call, local web.`,
    '',
    '| runs | completed | failed | most running at once | members that executed runs | killed run resumed elsewhere | kill → resumed (once a slot is free) | makespan |',
    '|---|---|---|---|---|---|---|---|',
    `| ${outcome.runs} | ${outcome.completed} | ${outcome.failed} | ${outcome.maxRunningAtOnce} | ${outcome.membersUsed} | ${outcome.resumedAfterKill ? 'yes' : 'no'} | ${outcome.resumeDelayMs === undefined ? 'n/a' : `${(outcome.resumeDelayMs / 1000).toFixed(1)} s`} | ${(outcome.makespanMs / 1000).toFixed(1)} s |`,
  ].join('\n');
}
