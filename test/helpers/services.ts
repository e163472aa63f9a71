import type { FastifyInstance } from 'fastify';
import { parseConfig, type Config } from '../../src/config/load-config.js';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { buildServer } from '../../src/server/build-server.js';
import { makeTempDir } from './temp-dir.js';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** A config on a temporary data dir; `overrides` are merged over a minimal document. */
export function testConfig(dataDir: string, overrides: Record<string, unknown> = {}): Config {
  return parseConfig(
    {
      dataDir,
      server: { token: TEST_TOKEN },
      providers: { local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' } },
      ...overrides,
    },
    { env: {} },
  );
}

/** The real services and API on a temporary data dir, not listening (use `app.inject`). */
export async function buildTestApp(
  overrides: Record<string, unknown> = {},
  options: { logger?: Logger } = {},
): Promise<{ app: FastifyInstance; services: Services; close: () => Promise<void> }> {
  const temp = makeTempDir();
  const config = testConfig(temp.dir, overrides);
  const logger = options.logger ?? silentLogger();
  const services = await createServices(config, { logger, token: config.server.token ?? TEST_TOKEN });
  const app = await buildServer(services);
  await services.runs.start();
  return {
    app,
    services,
    close: async () => {
      await app.close();
      await closeServices(services);
      temp.cleanup();
    },
  };
}

export const auth = { authorization: `Bearer ${TEST_TOKEN}` };

/** Polls a run through the API until its status is one of `statuses`. */
export async function waitForRun(
  app: FastifyInstance,
  id: string,
  statuses: string[] = ['completed', 'failed', 'cancelled'],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await app.inject({ url: `/v1/runs/${id}`, headers: auth })).json() as Record<string, unknown>;
    if (statuses.includes(String(run.status))) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${String(run.status)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
