import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeStoredRuns } from '../test/helpers/stored-runs.js';
import { startLimitServer } from './openai-limit-server.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:memory`: the daemon's resident memory as a user sees it. It starts the daemon with the CLI
 * (`agentd start`, a temporary config, data dir and free port), then reads VmRSS from /proc/PID/status:
 * idle after start, after browsing the 40 pages of ../shared/corpus/web-pages (served by a local HTTP server,
 * allowed through `browse.allowHosts`; skipped, and said so, when the corpus is missing), after 1,000 chat
 * completions against a local OpenAI-compatible server, and back at idle `--idle-seconds` (90) later.
 * Before the start, `--stored-runs` (5,000) finished runs are written into the data dir, as months of use
 * leave them; the run list is then read a page at a time, every page, and memory read again.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/agentd.js');
/** `../shared/corpus` of the checkout, or of the project folder holding this worktree. */
const CORPUS =
  [path.resolve(ROOT, '../shared/corpus/web-pages'), path.resolve(ROOT, '../../shared/corpus/web-pages')].find(
    (candidate) => existsSync(candidate),
  ) ?? path.resolve(ROOT, '../shared/corpus/web-pages');

export interface MemoryBenchOptions {
  /** Seconds of idle before the last reading. @default 90 */
  idleSeconds: number;
  /** Seconds between the daemon's start and the first reading. @default 5 */
  settleSeconds: number;
  /** Chat completions sent. @default 1000 */
  completions: number;
  /** Requests in flight at once, for browsing and chatting. @default 8 */
  concurrency: number;
  /** Finished runs written into the data dir before the start. @default 5000 */
  storedRuns: number;
}

export interface MemoryReading {
  label: string;
  rssMb: number;
  /** Peak resident memory so far (VmHWM). */
  peakMb: number;
}

export interface MemoryBenchResult {
  readings: MemoryReading[];
  corpusPages: number | undefined;
  browseFailures: string[];
  firstBrowseMs: number | undefined;
  laterBrowseP50Ms: number | undefined;
  chatP50Ms: number;
  /** How long `agentd start` took, with the stored runs. */
  startMs: number;
  /** `GET /v1/runs` (the first page), p50 of 20. */
  firstPageP50Ms: number;
  /** Every page of the run list at 1,000 a page, in order. */
  allPagesMs: number;
  options: MemoryBenchOptions;
}

export async function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryBenchResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'agentd-memory-'));
  const llm = await startLimitServer({ tpm: 1_000_000_000, burstSeconds: 60, latencyMs: 2 });
  const corpus = existsSync(CORPUS) ? await serveCorpus() : undefined;
  if (!corpus) process.stderr.write(`corpus not found at ${CORPUS}: the browse step is skipped\n`);
  const configFile = path.join(directory, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { port: 0 },
      dataDir: path.join(directory, 'data'),
      providers: { bench: { type: 'openai', baseURL: llm.url, apiKey: 'none' } },
      models: { default: 'bench/bench-model' },
      plugins: { browse: { use: 'http', allowHosts: ['127.0.0.1'] } },
      log: { level: 'warn' },
    }),
  );
  const env = { ...process.env };
  for (const name of ['AGENTD_CONFIG', 'AGENTD_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OLLAMA_HOST'])
    delete env[name];
  writeStoredRuns(path.join(directory, 'data'), options.storedRuns);
  const starting = performance.now();
  await cli(['start', '--config', configFile], env);
  const startMs = performance.now() - starting;
  const state = JSON.parse(readFileSync(path.join(directory, 'data/daemon.json'), 'utf8')) as {
    pid: number;
    url: string;
  };
  const token = readFileSync(path.join(directory, 'data/token'), 'utf8').trim();
  const api = (route: string, body: unknown) =>
    fetch(`${state.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const readings: MemoryReading[] = [];
  const read = (label: string) => readings.push({ label, ...residentMemory(state.pid) });
  const list = async (query: string) => {
    const response = await fetch(`${state.url}/v1/runs${query}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET /v1/runs${query}: HTTP ${response.status}`);
    return (await response.json()) as { runs: unknown[]; next?: string };
  };

  try {
    await sleep(options.settleSeconds * 1000);
    read(`idle, ${options.settleSeconds} s after start, ${options.storedRuns} runs stored`);

    const firstPage: number[] = [];
    for (let round = 0; round < 20; round++) {
      const started = performance.now();
      await list('');
      firstPage.push(performance.now() - started);
    }
    const walking = performance.now();
    let listed = 0;
    let before: string | undefined;
    do {
      const page = await list(`?limit=1000${before === undefined ? '' : `&before=${before}`}`);
      listed += page.runs.length;
      before = page.next;
    } while (before !== undefined);
    const allPagesMs = performance.now() - walking;
    if (listed !== options.storedRuns) throw new Error(`listed ${listed} runs of ${options.storedRuns} stored`);
    read(`after listing every run (20 first pages, then ${Math.ceil(listed / 1000)} pages of 1,000)`);

    let firstBrowseMs: number | undefined;
    let laterBrowseP50Ms: number | undefined;
    const browseFailures: string[] = [];
    if (corpus) {
      const urls = corpus.names.map((name) => `${corpus.url}/${name}/`);
      const timed = async (url: string) => {
        const started = performance.now();
        const response = await api('/v1/tools/browse', { url });
        const text = await response.text();
        // A page that fails (a timeout on a loaded machine) is reported, not fatal: memory is what is measured.
        if (!response.ok) browseFailures.push(`${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
        return performance.now() - started;
      };
      // The first page alone: its latency includes starting the extraction workers.
      firstBrowseMs = await timed(urls[0] as string);
      const later = await inParallel(urls.slice(1), options.concurrency, timed);
      // Pages one at a time once the workers run, comparable with the first.
      const sequential: number[] = [];
      for (const url of urls.slice(0, 5)) sequential.push(await timed(`${url}?again`));
      laterBrowseP50Ms = percentile(sequential, 50);
      read(`after browsing ${urls.length} pages (${later.length + 1} at ${options.concurrency} in flight)`);
    }

    const chatLatencies = await inParallel(
      Array.from({ length: options.completions }, (_, index) => index),
      options.concurrency,
      async (index) => {
        const started = performance.now();
        const response = await api('/v1/chat/completions', {
          model: 'bench/bench-model',
          max_tokens: 20,
          messages: [{ role: 'user', content: `Say hello, number ${index}.` }],
        });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`chat completion ${index}: HTTP ${response.status}`);
        return performance.now() - started;
      },
    );
    read(`after ${options.completions} chat completions`);

    await sleep(options.idleSeconds * 1000);
    read(`idle again, ${options.idleSeconds} s later`);
    return {
      readings,
      corpusPages: corpus?.names.length,
      browseFailures,
      firstBrowseMs,
      laterBrowseP50Ms,
      chatP50Ms: percentile(chatLatencies, 50),
      startMs,
      firstPageP50Ms: percentile(firstPage, 50),
      allPagesMs,
      options,
    };
  } finally {
    await cli(['stop', '--config', configFile], env).catch((error: unknown) =>
      process.stderr.write(`agentd stop: ${(error as Error).message}\n`),
    );
    await llm.close();
    await corpus?.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * VmRSS of the daemon plus its extraction worker processes (its children, while they run), and the daemon's
 * own VmHWM, in MB.
 */
function residentMemory(pid: number): { rssMb: number; peakMb: number } {
  const field = (status: string, name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let rssMb = field(status, 'VmRSS');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const child of children) {
    // A worker may exit between the listing and the read.
    if (existsSync(`/proc/${child}/status`)) rssMb += field(readFileSync(`/proc/${child}/status`, 'utf8'), 'VmRSS');
  }
  return { rssMb, peakMb: field(status, 'VmHWM') };
}

async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) results.push(await work(items[next++] as T));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`agentd ${args.join(' ')} exited with ${code}: ${output.trim()}`)),
    );
  });
}

async function serveCorpus(): Promise<{ url: string; names: string[]; close(): Promise<void> }> {
  const names = readdirSync(CORPUS)
    .filter((name) => existsSync(path.join(CORPUS, name, 'source.html')))
    .sort();
  const sources = new Map(names.map((name) => [name, readFileSync(path.join(CORPUS, name, 'source.html'))]));
  const server: Server = createServer((request, response) => {
    const html = sources.get((request.url ?? '').split('/')[1] ?? '');
    response.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    names,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function formatMemoryTable(result: MemoryBenchResult): string {
  const ms = (value: number | undefined) => (value === undefined ? 'skipped (no corpus)' : `${value.toFixed(0)} ms`);
  return [
    '| reading | RSS, daemon + workers | daemon peak RSS so far |',
    '|---|---|---|',
    ...result.readings.map(
      (reading) => `| ${reading.label} | ${reading.rssMb.toFixed(0)} MB | ${reading.peakMb.toFixed(0)} MB |`,
    ),
    '',
    `With ${result.options.storedRuns} runs stored: agentd start took ${result.startMs.toFixed(0)} ms; GET /v1/runs (first page) p50 ${result.firstPageP50Ms.toFixed(1)} ms; every page at 1,000 a page ${result.allPagesMs.toFixed(0)} ms.`,
    `First browse (starts the extraction workers): ${ms(result.firstBrowseMs)}; later browses one at a time, p50: ${ms(result.laterBrowseP50Ms)}.`,
    ...(result.browseFailures.length > 0 ? [`Pages that failed: ${result.browseFailures.join('; ')}.`] : []),
    `Chat completion through the daemon, p50 at ${result.options.concurrency} in flight: ${result.chatP50Ms.toFixed(1)} ms.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'idle-seconds': { type: 'string', default: '90' },
      'settle-seconds': { type: 'string', default: '5' },
      completions: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      'stored-runs': { type: 'string', default: '5000' },
    },
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} expects a number, got ${values[name]}`);
    return value;
  };
  const result = await runMemoryBench({
    idleSeconds: number('idle-seconds'),
    settleSeconds: number('settle-seconds'),
    completions: number('completions'),
    concurrency: Math.max(1, number('concurrency')),
    storedRuns: number('stored-runs'),
  });
  process.stdout.write(`${formatMemoryTable(result)}\n`);
}
