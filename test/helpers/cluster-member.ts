import { expect } from 'vitest';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import { buildServer } from '../../src/server/build-server.js';
import type { FixtureWeb } from './fixture-web.js';
import type { ScriptedLlm } from './scripted-llm.js';
import { auth, TEST_TOKEN, testConfig } from './services.js';
import { makeTempDir } from './temp-dir.js';

export interface ClusterMember {
  url: string;
  services: Services;
  /** Stops the member gracefully (once; later calls do nothing). */
  close: () => Promise<void>;
}

/** The settings of a test cluster's member: the scripted LLM, the fixture web, one slot each, a 2 s lease. */
export function clusterMemberConfig(options: {
  llm: ScriptedLlm;
  web: FixtureWeb;
  redisUrl: string;
  prefix: string;
}): Record<string, unknown> {
  return {
    providers: { llm: { type: 'openai', baseURL: options.llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
    plugins: options.web.plugins,
    runs: { concurrency: 1 },
    cluster: { redis: options.redisUrl, prefix: options.prefix, leaseTtlMs: 2_000 },
  };
}

/** A member started with createServices and listening on a free port, as the daemon does. */
export async function startClusterMember(config: Record<string, unknown>): Promise<ClusterMember> {
  const temp = makeTempDir();
  const services = await createServices(testConfig(temp.dir, config), { logger: silentLogger(), token: TEST_TOKEN });
  const app = await buildServer(services);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await services.runs.start();
  let closed = false;
  return {
    url,
    services,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await closeServices(services);
      temp.cleanup();
    },
  };
}

/** Submits a run to a member over HTTP, expects it queued (202) and returns its id. */
export async function submitRun(url: string, topic: string, team: readonly string[]): Promise<string> {
  const response = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ topic, team }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}
