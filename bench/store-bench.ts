import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { closeServices, createServices } from '../src/daemon/services.js';
import { CostLedger, type LedgerEntry } from '../src/gateway/cost-ledger.js';
import { silentLogger } from '../src/logger.js';
import { EventBus } from '../src/runs/event-bus.js';
import { emptyUsage, type Run } from '../src/runs/run-record.js';
import { buildServer } from '../src/server/build-server.js';
import { AppendLog } from '../src/store/append-log.js';
import { Store } from '../src/store/store.js';
import type { RunStore } from '../src/store/run-store.js';
import { startFixtureWeb } from '../test/helpers/fixture-web.js';
import { startScriptedLlm } from '../test/helpers/scripted-llm.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:store`: (1) the cost of appending an event, and a ledger entry, with 0 and with 100,000
 * already stored; (2) `GET /v1/runs` latency with 1,000 runs; (3) a research run and its cached re-run: tokens
 * and time, against the scripted LLM (200 ms per answer, like a fast hosted model) and the fixture web.
 */
const APPENDS = 5_000;
const STORED = 100_000;
const TOKEN = 'bench-token-0123456789abcdef';

function temporary(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'agentd-bench-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Microseconds per append, median of batches of 100. */
function timeAppends(append: (index: number) => void): number {
  const batches: number[] = [];
  for (let batch = 0; batch < APPENDS / 100; batch += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < 100; index += 1) append(batch * 100 + index);
    batches.push(Number(process.hrtime.bigint() - started) / 1000 / 100);
  }
  return median(batches);
}

async function appendCost() {
  const temp = temporary();
  const store = await Store.open(temp.dir);
  const bus = new EventBus(store.runs, silentLogger());
  // As large as a typical action-end: the error text stands in for the page URL earlier versions carried.
  const data = {
    role: 'researcher',
    action: 'WebBrowseAndSummarize',
    ms: 1234,
    ok: false,
    error: 'https://example.org/some/page',
  };

  const emptyEvents = timeAppends(() => bus.emit('empty-run', 'action-end', data));
  // Fill another run's log with 100,000 events, then open it through the bus as the daemon would.
  const { log } = (store.runs as RunStore).events<unknown>('full-run');
  for (let seq = 1; seq <= STORED; seq += 1)
    log.append({ seq, runId: 'full-run', at: new Date().toISOString(), type: 'action-end', data });
  store.runs.release('full-run');
  const fullEvents = timeAppends(() => bus.emit('full-run', 'action-end', data));

  const entry = (index: number): LedgerEntry => ({
    id: String(index),
    at: new Date().toISOString(),
    runId: 'r',
    action: 'A',
    provider: 'openai',
    model: 'gpt-4o-mini',
    promptTokens: 1000,
    completionTokens: 100,
    costUsd: 0.0002,
    costUnknown: false,
    latencyMs: 800,
    attempts: 1,
    rateLimited: 0,
    waitedMs: 0,
    cached: false,
  });
  const emptyLedger = new CostLedger(AppendLog.open<unknown>(path.join(temp.dir, 'ledger-empty.jsonl')).log);
  const emptyLedgerCost = timeAppends((index) => emptyLedger.record(entry(index)));
  const fullFile = path.join(temp.dir, 'ledger-full.jsonl');
  const filling = AppendLog.open<unknown>(fullFile).log;
  for (let index = 0; index < STORED; index += 1) filling.append(entry(index));
  filling.close();
  const reopened = AppendLog.open<unknown>(fullFile);
  const fullLedger = new CostLedger(reopened.log, reopened.entries);
  const fullLedgerCost = timeAppends((index) => fullLedger.record(entry(index)));
  store.close();
  reopened.log.close();
  temp.cleanup();
  return { emptyEvents, fullEvents, emptyLedgerCost, fullLedgerCost };
}

async function listLatency() {
  const temp = temporary();
  const config = parseConfig(
    { dataDir: temp.dir, server: { token: TOKEN }, providers: { local: { type: 'ollama' } } },
    { env: {} },
  );
  const seed = await Store.open(temp.dir);
  for (let index = 0; index < 1000; index += 1) {
    const run: Run = {
      id: `run-${String(index).padStart(4, '0')}`,
      topic: `Topic number ${index} about rate limits and research`,
      language: 'en',
      status: 'completed',
      createdAt: new Date(Date.now() - (1000 - index) * 60_000).toISOString(),
      team: ['extractor', 'researcher', 'wiki'],
      keywords: ['a', 'b'],
      wiki: [],
      sources: [],
      report: '# Report\n'.repeat(50),
      usage: emptyUsage(),
      errors: [],
    };
    await seed.runs.save(run);
  }
  seed.close();
  const services = await createServices(config, { logger: silentLogger(), token: TOKEN });
  const app = await buildServer(services);
  const first = await app.inject({ url: '/v1/runs', headers: { authorization: `Bearer ${TOKEN}` } });
  if ((first.json() as { runs: unknown[] }).runs.length !== 1000)
    throw new Error('GET /v1/runs did not list 1,000 runs');
  const timings: number[] = [];
  for (let index = 0; index < 1000; index += 1) {
    const started = process.hrtime.bigint();
    const response = await app.inject({ url: '/v1/runs', headers: { authorization: `Bearer ${TOKEN}` } });
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
    // Only the status is read here: parsing 200 KB per request would be the harness's garbage, not the daemon's.
    if (response.statusCode !== 200) throw new Error(`GET /v1/runs answered ${response.statusCode}`);
  }
  await app.close();
  await closeServices(services);
  temp.cleanup();
  const warm = timings.slice(50);
  return { p50: percentile(warm, 50), p99: percentile(warm, 99) };
}

async function cachedRerun() {
  const llm = await startScriptedLlm({ keywords: ['Arduino', 'Trademark'], latencyMs: 200 });
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino', Trademark: 'Trademark' } });
  const temp = temporary();
  const config = parseConfig(
    {
      dataDir: temp.dir,
      server: { token: TOKEN },
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-bench' } },
      models: { default: 'llm/test-model' },
      pricing: { 'llm/test-model': { input: 0.15, output: 0.6 } },
      plugins: web.plugins,
    },
    { env: {} },
  );
  const services = await createServices(config, { logger: silentLogger(), token: TOKEN });
  await services.runs.start();
  const research = async () => {
    const started = performance.now();
    const { id } = await services.runs.submit({ topic: 'The Arduino trademark dispute' });
    for (;;) {
      const run = await services.runs.get(id);
      if (run.status === 'completed' || run.status === 'failed') return { run, ms: performance.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const first = await research();
  const second = await research();
  await closeServices(services);
  await llm.close();
  await web.close();
  temp.cleanup();
  const tokens = (run: Run) => run.usage.promptTokens + run.usage.completionTokens;
  return {
    firstTokens: tokens(first.run),
    firstMs: first.ms,
    firstCalls: first.run.usage.calls,
    secondTokens: tokens(second.run),
    secondMs: second.ms,
    secondCalls: second.run.usage.calls,
  };
}

export async function runStoreBench() {
  // The list first: the append benchmark leaves 100,000 entries of garbage whose collection would land in it.
  const list = await listLatency();
  return { appends: await appendCost(), list, rerun: await cachedRerun() };
}

export function formatStoreTable(result: Awaited<ReturnType<typeof runStoreBench>>): string {
  const { appends, list, rerun } = result;
  return [
    '| figure | value | goal |',
    '|---|---|---|',
    `| append an event: empty log / 100,000 stored | ${appends.emptyEvents.toFixed(1)} µs / ${appends.fullEvents.toFixed(1)} µs (ratio ${(appends.fullEvents / appends.emptyEvents).toFixed(2)}) | ratio <= 1.5 |`,
    `| append a ledger entry: empty / 100,000 stored | ${appends.emptyLedgerCost.toFixed(1)} µs / ${appends.fullLedgerCost.toFixed(1)} µs (ratio ${(appends.fullLedgerCost / appends.emptyLedgerCost).toFixed(2)}) | ratio <= 1.5 |`,
    `| GET /v1/runs with 1,000 runs, p50 / p99 | ${list.p50.toFixed(2)} ms / ${list.p99.toFixed(2)} ms | p99 < 10 ms |`,
    `| research run, first: calls, tokens, time | ${rerun.firstCalls} calls, ${rerun.firstTokens} tokens, ${(rerun.firstMs / 1000).toFixed(1)} s | |`,
    `| same topic again (caches): calls, tokens, time | ${rerun.secondCalls} calls, ${rerun.secondTokens} tokens, ${(rerun.secondMs / 1000).toFixed(2)} s | 0 tokens |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatStoreTable(await runStoreBench())}\n`);
}
