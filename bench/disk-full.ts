import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../src/config/load-config.js';
import { closeServices, createServices } from '../src/daemon/services.js';
import { silentLogger } from '../src/logger.js';
import { buildServer } from '../src/server/build-server.js';
import { startScriptedLlm } from '../test/helpers/scripted-llm.js';

/**
 * `npm run bench:disk-full` (root: it mounts a 1 MiB tmpfs): a daemon whose data dir fills up mid-run keeps
 * answering /health, refuses writes with 507 AGENTD_ERR_STORE_FULL, and completes the run once space is
 * freed, without a restart. Prints each observation; exits 1 if one does not hold.
 */
const TOKEN = 'disk-full-token-0123456789abcdef';
const mountPoint = mkdtempSync(path.join(tmpdir(), 'agentd-disk-full-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
if (mounted.status !== 0) {
  process.stdout.write(`bench:disk-full needs root to mount a tmpfs: ${mounted.stderr.toString().trim()}\n`);
  process.exit(2);
}
const results: Array<[string, boolean, string]> = [];
const check = (name: string, ok: boolean, detail: string) => {
  results.push([name, ok, detail]);
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}\n`);
};
const llm = await startScriptedLlm({ keywords: ['Disk'], latencyMs: 1_500 });
const dataDir = path.join(mountPoint, 'data');
const config = parseConfig(
  {
    dataDir,
    server: { token: TOKEN },
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
    cache: { llm: false },
  },
  { env: {} },
);
const services = await createServices(config, { logger: silentLogger(), token: TOKEN });
const app = await buildServer(services);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
await services.runs.start();
/** The fields of the API's answers this check reads. */
interface AnswerBody {
  id?: string;
  status?: string;
  keywords?: unknown;
  runs?: Array<{ topic: string }>;
  error?: { code?: string };
}
const api = async (method: string, route: string, body?: unknown) => {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as AnswerBody };
};
const filler = path.join(mountPoint, 'filler');
try {
  const { body: submitted } = await api('POST', '/v1/runs', { topic: 'Disk space and daemons', team: ['extractor'] });
  await sleep(300);
  // The run's first LLM call is in flight: fill the disk to the last byte.
  const chunk = Buffer.alloc(64 * 1024);
  let filled = 0;
  for (;;) {
    try {
      writeFileSync(filler, chunk, { flag: 'a' });
      filled += chunk.length;
    } catch {
      break;
    }
  }
  for (const size of [4096, 512, 64, 1]) {
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
    } catch {
      // next smaller size
    }
  }
  process.stdout.write(`disk filled (${filled} bytes of filler)\n`);
  await sleep(2_500);
  const health = await fetch(`${url}/health`);
  check('GET /health answers while the disk is full', health.status === 200, `HTTP ${health.status}`);
  const refused = await api('POST', '/v1/runs', { topic: 'another run', team: ['extractor'] });
  const listed = (await api('GET', '/v1/runs')).body.runs ?? [];
  check(
    'the refused run is not listed',
    !listed.some((summary) => summary.topic === 'another run'),
    `${listed.length} run(s) listed`,
  );
  check(
    'a write is refused with 507 AGENTD_ERR_STORE_FULL',
    refused.status === 507 && refused.body.error?.code === 'AGENTD_ERR_STORE_FULL',
    `HTTP ${refused.status} ${JSON.stringify(refused.body.error)}`,
  );
  const paused = await api('GET', `/v1/runs/${submitted.id}`);
  check(
    'the run is paused, not failed',
    paused.body.status === 'running' || paused.body.status === 'queued',
    `status ${paused.body.status}`,
  );
  rmSync(filler);
  const freedAt = Date.now();
  let run = paused.body;
  while (!['completed', 'failed', 'cancelled'].includes(run.status ?? '') && Date.now() - freedAt < 30_000) {
    await sleep(100);
    run = (await api('GET', `/v1/runs/${submitted.id}`)).body;
  }
  check(
    'the run completes after space is freed, without a restart',
    run.status === 'completed',
    `status ${run.status} ${((Date.now() - freedAt) / 1000).toFixed(1)} s after freeing; keywords ${JSON.stringify(run.keywords)}`,
  );
  // A call answered while the disk was full was paid for: the resumed run reuses that answer (README: "a
  // finished LLM call is never paid for twice"). Calls the pause aborted were never answered, so may come again.
  const answered = llm.calls.filter((call) => !call.cancelledByClient).map((call) => JSON.stringify(call.body));
  const twice = answered.filter((body, index) => answered.indexOf(body) !== index);
  check(
    'no answered LLM call is asked again after the pause',
    twice.length === 0,
    `${answered.length} answered call(s), ${twice.length} asked again`,
  );
  const again = await api('POST', '/v1/runs', { topic: 'after the disk was freed', team: ['extractor'] });
  check('writes are accepted again', again.status === 202, `HTTP ${again.status}`);
} finally {
  await app.close();
  await closeServices(services);
  await llm.close();
  spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
}
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
