import { parseConfig } from '../../src/config/load-config.js';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import { createRunContext } from '../../src/runs/run-context.js';
import { emptyUsage, type Run } from '../../src/runs/run-record.js';
import { RunRecorder } from '../../src/runs/run-recorder.js';
import { RunSteps } from '../../src/runs/run-steps.js';
import type { ResearchContext } from '../../src/actions/research-context.js';
import type { FixtureWeb } from './fixture-web.js';
import type { ScriptedLlm } from './scripted-llm.js';
import { makeTempDir } from './temp-dir.js';

/**
 * A role context as a run gets it, on the real services: the gateway to the scripted LLM, the plugins to the
 * fixture web, steps and record in a temporary store.
 */
export async function makeRoleContext(
  llm: ScriptedLlm,
  web: FixtureWeb | undefined,
  topic: string,
  language = 'en',
): Promise<{ context: ResearchContext; run: Run; services: Services; close: () => Promise<void> }> {
  const temp = makeTempDir();
  const config = parseConfig(
    {
      dataDir: temp.dir,
      server: { token: 'test-token-0123456789abcdef' },
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      ...(web ? { plugins: web.plugins } : {}),
    },
    { env: {} },
  );
  const services = await createServices(config, { logger: silentLogger(), token: 'test-token-0123456789abcdef' });
  const run: Run = {
    id: 'run-under-test',
    topic,
    language,
    status: 'running',
    createdAt: new Date().toISOString(),
    team: [],
    keywords: [],
    wiki: [],
    sources: [],
    report: '',
    usage: emptyUsage(),
    errors: [],
  };
  await services.store.runs.save(run);
  const recorder = new RunRecorder(run, services.store.runs, silentLogger());
  const stored = await services.store.runs.steps(run.id);
  const context = createRunContext({
    run,
    gateway: services.gateway,
    plugins: services.plugins,
    steps: new RunSteps(stored.log, stored.entries),
    recorder,
    execution: services.events.execution(run.id),
    signal: new AbortController().signal,
  });
  return {
    context,
    run,
    services,
    close: async () => {
      await recorder.flush();
      await closeServices(services);
      temp.cleanup();
    },
  };
}
