import OpenAI from 'openai';
import { createOpenAIProvider } from '../providers/openai.js';
import { parseConfig } from '../src/config/load-config.js';
import { CostLedger } from '../src/gateway/cost-ledger.js';
import { Gateway } from '../src/gateway/gateway.js';
import type { LanguageModelProvider } from '../src/gateway/language-model.js';
import { countTokens } from '../src/text/token-count.js';
import { silentLogger } from '../src/logger.js';
import { startLimitServer } from './openai-limit-server.js';
import { type BurstOutcome, seededText } from './seeded-text.js';

/**
 * `npm run bench:limiter`: replays the seed's burst, 4 concurrent runs each sending 16 summaries of 2k-15k
 * tokens plus small calls, against a server enforcing 60,000 TPM over a 10 s window, three ways: the seed's
 * (everything at once, SDK default retries), a pool of 4 (p-limit(4), SDK default retries), and the gateway.
 *
 * Time is scaled by BENCH_SPEED (default 20): every rate is multiplied and every duration divided by it, so
 * the ratios (failures, 429 share, makespan over the lower bound, fairness) are those of the real minute.
 */
const SPEED = Number(process.env.BENCH_SPEED ?? 20);
const TPM = 60_000;
const RUNS = 4;
const SUMMARIES = 16;
const SMALL_CALLS = 4;
const SUMMARY_MAX_TOKENS = 800;
const SMALL_MAX_TOKENS = 200;

interface Call {
  run: number;
  prompt: string;
  maxTokens: number;
  cost: number;
}

interface Outcome extends BurstOutcome {
  jain: number;
}

function workload(seed: number): Call[] {
  const { random, text } = seededText(seed);
  const calls: Call[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    for (let index = 0; index < SMALL_CALLS; index += 1)
      calls.push(withCost({ run, prompt: text(400), maxTokens: SMALL_MAX_TOKENS, cost: 0 }));
    for (let index = 0; index < SUMMARIES; index += 1)
      calls.push(
        withCost({ run, prompt: text(2000 + Math.floor(random() * 13_000)), maxTokens: SUMMARY_MAX_TOKENS, cost: 0 }),
      );
  }
  return calls;
}

function withCost(call: Call): Call {
  return { ...call, cost: countTokens(call.prompt) + call.maxTokens };
}

async function measure(
  mode: string,
  calls: Call[],
  send: (call: Call, url: string) => Promise<void>,
): Promise<Outcome> {
  const server = await startLimitServer({ tpm: TPM * SPEED, burstSeconds: 10 / SPEED, latencyMs: 2000 / SPEED });
  const finishedAt = new Array<number>(RUNS).fill(0);
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    calls.map(async (call) => {
      try {
        await send(call, server.url);
      } catch {
        failures += 1;
      }
      finishedAt[call.run] = Math.max(finishedAt[call.run] ?? 0, performance.now() - started);
    }),
  );
  const makespanMs = Math.max(...finishedAt);
  const totalCost = calls.reduce((sum, call) => sum + call.cost, 0);
  const lowerBoundMs = Math.max(0, totalCost - server.burst) / server.rate;
  const throughputs = finishedAt.map(
    (finished, run) => calls.filter((call) => call.run === run).reduce((sum, call) => sum + call.cost, 0) / finished,
  );
  const jain =
    throughputs.reduce((a, b) => a + b, 0) ** 2 / (throughputs.length * throughputs.reduce((a, b) => a + b * b, 0));
  await server.close();
  return { mode, requests: calls.length, failures, rejected: server.stats.rejected, makespanMs, lowerBoundMs, jain };
}

function sdkSender(): (call: Call, url: string) => Promise<void> {
  const clients = new Map<string, OpenAI>();
  return async (call, url) => {
    let client = clients.get(url);
    if (!client) {
      client = new OpenAI({ apiKey: 'sk-bench', baseURL: url });
      clients.set(url, client);
    }
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: call.prompt }],
      max_tokens: call.maxTokens,
    });
  };
}

/** p-limit(4): at most four calls in flight, in submission order. */
function pooled(
  size: number,
  send: (call: Call, url: string) => Promise<void>,
): (call: Call, url: string) => Promise<void> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (call, url) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      await send(call, url);
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

function gatewaySender(): (call: Call, url: string) => Promise<void> {
  const gateways = new Map<string, Gateway>();
  return async (call, url) => {
    let gateway = gateways.get(url);
    if (!gateway) {
      const config = parseConfig(
        {
          providers: {
            openai: {
              type: 'openai',
              baseURL: url,
              apiKey: 'sk-bench',
              limits: { tpm: TPM * SPEED, burstSeconds: 3 / SPEED },
            },
          },
          models: { default: 'openai/gpt-4o-mini' },
        },
        { env: {} },
      );
      const provider = createOpenAIProvider({ name: 'openai', baseURL: url, apiKey: 'sk-bench' });
      // The local server speaks OpenAI's accounting; say so, as the official endpoint would.
      const openAILike: LanguageModelProvider = {
        ...provider,
        limitAccounting: 'prompt-plus-max-tokens',
        openAITokenizer: true,
      };
      gateway = new Gateway({
        config,
        providers: new Map([['openai', openAILike]]),
        ledger: new CostLedger(undefined),
        logger: silentLogger(),
        retry: { maxDelayMs: 8000 / SPEED, initialDelayMs: 500 / SPEED },
      });
      gateways.set(url, gateway);
    }
    await gateway.generate(
      { messages: [{ role: 'user', content: call.prompt }], maxOutputTokens: call.maxTokens },
      { runId: `run${call.run}` },
    );
  };
}

export async function runLimiterBench(): Promise<Outcome[]> {
  const calls = workload(42);
  // BENCH_MODES=gateway (comma-separated: seed, pool, gateway) runs a subset.
  const modes = (process.env.BENCH_MODES ?? 'seed,pool,gateway').split(',');
  const outcomes: Outcome[] = [];
  if (modes.includes('seed')) outcomes.push(await measure('seed: all at once, SDK retries', calls, sdkSender()));
  if (modes.includes('pool')) outcomes.push(await measure('p-limit(4), SDK retries', calls, pooled(4, sdkSender())));
  if (modes.includes('gateway')) outcomes.push(await measure('agentd gateway', calls, gatewaySender()));
  return outcomes;
}

export function formatLimiterTable(outcomes: Outcome[]): string {
  const lines = [
    `Burst replay: ${RUNS} runs x (${SUMMARIES} summaries of 2k-15k tokens + ${SMALL_CALLS} small calls), ${TPM} TPM over a 10 s window, time scaled x${SPEED}.`,
    '',
    '| mode | requests | failures | 429s received | 429 share | makespan / lower bound | Jain fairness |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const outcome of outcomes) {
    const share = outcome.rejected / outcome.requests;
    lines.push(
      `| ${outcome.mode} | ${outcome.requests} | ${outcome.failures} | ${outcome.rejected} | ${(share * 100).toFixed(1)}% | ${(outcome.makespanMs / outcome.lowerBoundMs).toFixed(3)} (${((outcome.makespanMs * SPEED) / 1000).toFixed(0)} s vs ${((outcome.lowerBoundMs * SPEED) / 1000).toFixed(0)} s real-time equivalent) | ${outcome.jain.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcomes = await runLimiterBench();
  process.stdout.write(`${formatLimiterTable(outcomes)}\n`);
}
