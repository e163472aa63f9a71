import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { countTokens } from '../src/text/token-count.js';
import { redisMissingMessage, redisServerPath, startRedis } from '../test/helpers/redis-server.js';
import { startLimitServer } from './openai-limit-server.js';
import { type BurstOutcome, seededText } from './seeded-text.js';

/**
 * `npm run bench:cluster`, part 1 (shared limits; part 2, one run queue, is cluster-runs-bench.ts): three members, each a gateway in a process of its own,
 * against one local provider enforcing 120,000 TPM over a 10 s window (bench/openai-limit-server.ts). Each is
 * sent the seed's burst, 40 requests of about 2,700 tokens, at the same moment. Measured twice: three
 * independent daemons (each with its own in-process limiter: today without a cluster) and three members of
 * one cluster on a real redis-server. Time is scaled by BENCH_SPEED (default 5: three processes tokenizing
 * their bursts on a shared machine need a scale where a few hundred milliseconds of CPU do not count double).
 */
const SPEED = Number(process.env.BENCH_SPEED ?? 5);
const TPM = 120_000;
const MEMBERS = 3;
const REQUESTS = 40;
const PROMPT_TOKENS = 2_200;
const MAX_TOKENS = 500;

interface Result {
  ok: boolean;
  endedAt: number;
  error?: string;
}

type Outcome = BurstOutcome;

/** The seed's burst for one member: prompts of about 2,200 tokens (seeded), max_tokens 500. */
function burst(seed: number): string[] {
  const { random, text } = seededText(seed);
  return Array.from({ length: REQUESTS }, () => text(PROMPT_TOKENS - 100 + Math.floor(random() * 200)));
}

function startMember(env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('cluster-member.js', import.meta.url)), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`a bench member exited with code ${code} before it was ready`)));
  });
}

async function measure(mode: string, redisURL: string | undefined): Promise<Outcome> {
  const server = await startLimitServer({ tpm: TPM * SPEED, burstSeconds: 10 / SPEED, latencyMs: 2000 / SPEED });
  const env: Record<string, string> = {
    BENCH_SPEED: String(SPEED),
    BENCH_TPM: String(TPM),
    BENCH_PROVIDER_URL: server.url,
  };
  if (redisURL) Object.assign(env, { BENCH_REDIS: redisURL, BENCH_PREFIX: `bench-${Date.now()}` });
  const members = await Promise.all(Array.from({ length: MEMBERS }, () => startMember(env)));
  const bursts = members.map((_, index) => burst(42 + index));
  const totalCost = bursts.flat().reduce((sum, prompt) => sum + countTokens(prompt) + MAX_TOKENS, 0);
  await Promise.all(
    members.map(
      (member, index) =>
        new Promise((resolve) => {
          member.once('message', resolve);
          member.send({ type: 'prepare', burst: { prompts: bursts[index], maxTokens: MAX_TOKENS } });
        }),
    ),
  );
  const startedAt = Date.now();
  const results = await Promise.all(
    members.map(
      (member) =>
        new Promise<Result[]>((resolve) => {
          member.once('message', (message: { results: Result[] }) => resolve(message.results));
          member.send({ type: 'go' });
        }),
    ),
  );
  const all = results.flat();
  await Promise.all(
    members.map(
      (member) =>
        new Promise((resolve) => (member.exitCode !== null ? resolve(undefined) : member.once('exit', resolve))),
    ),
  );
  await server.close();
  if (process.env.BENCH_DEBUG) {
    const ends = all.map((result) => result.endedAt - startedAt).sort((a, b) => a - b);
    const gaps = ends
      .slice(1)
      .map((end, index) => end - (ends[index] ?? 0))
      .sort((a, b) => a - b);
    process.stderr.write(
      `first ${ends[0]} ms, gaps p50 ${gaps[Math.floor(gaps.length / 2)]} p90 ${gaps[Math.floor(gaps.length * 0.9)]} max ${gaps.at(-1)}; ends ${ends.filter((_, index) => index % 10 === 0).join(' ')}\n`,
    );
  }
  for (const failed of all.filter((result) => !result.ok).slice(0, 3))
    process.stderr.write(`failure: ${failed.error}\n`);
  return {
    mode,
    requests: all.length,
    failures: all.filter((result) => !result.ok).length,
    rejected: server.stats.rejected,
    makespanMs: Math.max(...all.map((result) => result.endedAt)) - startedAt,
    lowerBoundMs: Math.max(0, totalCost - server.burst) / server.rate,
  };
}

export async function runClusterBench(): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const modes = (process.env.BENCH_MODES ?? 'independent,cluster').split(',');
  if (modes.includes('independent')) outcomes.push(await measure('3 independent daemons (no cluster)', undefined));
  if (modes.includes('cluster')) {
    if (!redisServerPath) {
      process.stderr.write(`${redisMissingMessage}\n`);
      return outcomes;
    }
    const redis = await startRedis();
    try {
      outcomes.push(await measure('**3 cluster members, one Redis**', redis.url));
    } finally {
      await redis.stop();
    }
  }
  return outcomes;
}

export function formatClusterTable(outcomes: Outcome[]): string {
  const lines = [
    `Shared limits: ${MEMBERS} members x ${REQUESTS} requests of ~${PROMPT_TOKENS + MAX_TOKENS} tokens sent at once, one provider at ${TPM} TPM over a 10 s window, time scaled x${SPEED}.`,
    '',
    '| mode | requests | failures | 429s received | 429 share | makespan / lower bound |',
    '|---|---|---|---|---|---|',
  ];
  for (const outcome of outcomes) {
    lines.push(
      `| ${outcome.mode} | ${outcome.requests} | ${outcome.failures} | ${outcome.rejected} | ${((outcome.rejected / outcome.requests) * 100).toFixed(1)}% | ${(outcome.makespanMs / outcome.lowerBoundMs).toFixed(3)} (${((outcome.makespanMs * SPEED) / 1000).toFixed(0)} s vs ${((outcome.lowerBoundMs * SPEED) / 1000).toFixed(0)} s real-time equivalent) |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const modes = (process.env.BENCH_MODES ?? 'independent,cluster,runs').split(',');
  if (modes.includes('independent') || modes.includes('cluster')) {
    const outcomes = await runClusterBench();
    process.stdout.write(`${formatClusterTable(outcomes)}\n`);
  }
  if (modes.includes('runs')) {
    const { formatClusterRunsTable, runClusterRunsBench } = await import('./cluster-runs-bench.js');
    const outcome = await runClusterRunsBench();
    if (outcome) process.stdout.write(`\n${formatClusterRunsTable(outcome)}\n`);
    if (outcome && outcome.completed < outcome.runs) process.exitCode = 1;
  }
}
