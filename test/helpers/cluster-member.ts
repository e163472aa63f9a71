import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import { buildServer } from '../../src/server/build-server.js';
import type { FixtureWeb } from './fixture-web.js';
import type { ScriptedLlm } from './scripted-llm.js';
import { TEST_TOKEN, testConfig } from './services.js';
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
