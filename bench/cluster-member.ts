import { createOpenAIProvider } from '../providers/openai.js';
import { Cluster } from '../src/cluster/cluster.js';
import { parseConfig } from '../src/config/load-config.js';
import { CostLedger } from '../src/gateway/cost-ledger.js';
import { Gateway } from '../src/gateway/gateway.js';
import type { LanguageModelProvider } from '../src/gateway/language-model.js';
import { countTokens } from '../src/text/token-count.js';
import { silentLogger } from '../src/logger.js';

/**
 * One member of `npm run bench:cluster`, in a process of its own: a gateway on the bench's provider, with
 * cluster limits (BENCH_REDIS set) or in-process ones. It says `ready`, waits for `go`, sends its burst all at
 * once (no client retries: the gateway's own requeueing is what is measured) and reports when each call ended.
 */
interface Burst {
  prompts: string[];
  maxTokens: number;
}

const speed = Number(process.env.BENCH_SPEED ?? 5);
const tpm = Number(process.env.BENCH_TPM ?? 120_000);
const providerURL = process.env.BENCH_PROVIDER_URL ?? '';
const redis = process.env.BENCH_REDIS;

const config = parseConfig(
  {
    providers: {
      openai: {
        type: 'openai',
        baseURL: providerURL,
        apiKey: 'sk-bench',
        limits: { tpm: tpm * speed, burstSeconds: Number(process.env.BENCH_BURST_SECONDS ?? 3) / speed },
      },
    },
    models: { default: 'openai/gpt-4o-mini' },
  },
  { env: {} },
);
const logger = silentLogger();
const cluster = redis
  ? await Cluster.join({ redis, prefix: process.env.BENCH_PREFIX ?? 'bench', logger, totalUsd: undefined })
  : undefined;
const provider = createOpenAIProvider({ name: 'openai', baseURL: providerURL, apiKey: 'sk-bench' });
// The local server speaks OpenAI's accounting; say so, as the official endpoint would.
const openAILike: LanguageModelProvider = {
  ...provider,
  limitAccounting: 'prompt-plus-max-tokens',
  openAITokenizer: true,
};
const gateway = new Gateway({
  config,
  providers: new Map([['openai', openAILike]]),
  ledger: new CostLedger(undefined),
  logger,
  retry: { maxDelayMs: 8000 / speed, initialDelayMs: 500 / speed },
  ...(cluster ? { limiters: cluster.limiters, budget: cluster.budget } : {}),
});

let burst: Burst | undefined;
process.on('message', (message: { type: string; burst?: Burst }) => {
  if (message.type === 'prepare' && message.burst) {
    // Received and tokenized before the clock starts: the bench measures the limiter, not warm-up.
    burst = message.burst;
    for (const prompt of burst.prompts) countTokens(prompt);
    process.send?.({ type: 'prepared' });
    return;
  }
  if (message.type !== 'go' || !burst) return;
  const prompts = burst.prompts;
  const maxTokens = burst.maxTokens;
  const runId = `member-${process.pid}`;
  void Promise.all(
    prompts.map(async (prompt) => {
      try {
        await gateway.generate(
          { messages: [{ role: 'user', content: prompt }], maxOutputTokens: maxTokens },
          { runId },
        );
        return { ok: true, endedAt: Date.now() };
      } catch (error) {
        return { ok: false, endedAt: Date.now(), error: (error as Error).message };
      }
    }),
  ).then(async (results) => {
    await cluster?.close();
    process.send?.({ type: 'done', results }, undefined, undefined, () => process.exit(0));
  });
});
process.send?.({ type: 'ready' });
