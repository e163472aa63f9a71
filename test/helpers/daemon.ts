import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli.js';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

export interface TestDaemon {
  url: string;
  token: string;
  configFile: string;
  dataDir: string;
  cli: (args: string[]) => ReturnType<typeof runCli>;
  request: <T = unknown>(
    method: string,
    route: string,
    body?: unknown,
  ) => Promise<{ status: number; body: T; text: string; headers: Headers }>;
  stop: () => Promise<void>;
}

/**
 * Starts the real daemon with `agentd start` on a temporary data dir and a free port, as a user would.
 * `options.beforeStart` fills the data dir first (runs stored by an earlier life of the daemon).
 */
export async function startTestDaemon(
  config: Record<string, unknown>,
  options: { beforeStart?: (dataDir: string) => void } = {},
): Promise<TestDaemon> {
  const temp = makeTempDir('agentd-e2e-');
  const port = await freePort();
  const dataDir = path.join(temp.dir, 'data');
  const configFile = path.join(temp.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ server: { port }, dataDir, ...config }, null, 2));
  options.beforeStart?.(dataDir);
  const cli = (args: string[]) => runCli([...args, '--config', configFile], { timeoutMs: 60_000 });
  const started = await cli(['start']);
  if (started.code !== 0) throw new Error(`agentd start failed: ${started.stderr}${started.stdout}`);
  const token = readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    token,
    configFile,
    dataDir,
    cli,
    request: async <T>(method: string, route: string, body?: unknown) => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const parsed = (response.headers.get('content-type') ?? '').includes('json')
        ? (JSON.parse(text) as T)
        : (text as T);
      return { status: response.status, body: parsed, text, headers: response.headers };
    },
    stop: async () => {
      await cli(['stop']);
      temp.cleanup();
    },
  };
}

/** Polls `GET /v1/runs/:id` until the run reaches one of `statuses`. */
export async function waitForStatus(
  daemon: TestDaemon,
  id: string,
  statuses: string[] = ['completed', 'failed', 'cancelled'],
  timeoutMs = 90_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await daemon.request<Record<string, unknown>>('GET', `/v1/runs/${id}`);
    if (statuses.includes(String(body.status))) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${String(body.status)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
