import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import { emptyUsage, type Run } from '../../src/types/run-record.js';
import { Store } from '../../src/store/store.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';
import { TEST_TOKEN } from '../helpers/services.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Services on a temp data dir with one slot, a slow scripted model and only the extractor role (no web). */
async function setup(options: { seed?: (store: Store) => Promise<void> } = {}) {
  const llm = await startScriptedLlm({ keywords: ['Arduino'], latencyMs: 5_000 });
  cleanups.push(() => llm.close());
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  if (options.seed) {
    const store = await Store.open(temp.dir);
    await options.seed(store);
    store.close();
  }
  const config = parseConfig(
    {
      dataDir: temp.dir,
      server: { token: TEST_TOKEN },
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      runs: { concurrency: 1 },
    },
    { env: {} },
  );
  const services = await createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
  cleanups.push(() => closeServices(services));
  await services.runs.start();
  return { llm, services };
}

function storedRun(id: string, status: Run['status']): Run {
  return {
    id,
    topic: `topic ${id}`,
    language: 'en',
    status,
    createdAt: new Date().toISOString(),
    team: ['extractor'],
    keywords: [],
    wiki: [],
    sources: [],
    report: '',
    usage: emptyUsage(),
    errors: [],
  };
}

const status = async (services: Services, id: string) => (await services.runs.get(id)).status;

describe('the run queue', () => {
  it.each([0, 1, 2, 3, 5, 8, 13])(
    'resume then cancel %i microtasks apart cancels that run and no other',
    async (ticks) => {
      const { services } = await setup({ seed: async (store) => store.runs.save(storedRun('stopped', 'cancelled')) });
      const running = await services.runs.submit({ topic: 'first', team: ['extractor'] });
      const waiting = await services.runs.submit({ topic: 'second', team: ['extractor'] });
      const resumed = services.runs.resume('stopped');
      for (let tick = 0; tick < ticks; tick += 1) await Promise.resolve();
      const cancelled = services.runs.cancel('stopped');
      await Promise.allSettled([resumed, cancelled]);
      expect(await status(services, 'stopped')).toBe('cancelled');
      expect(await status(services, waiting.id)).toBe('queued');
      expect(services.runs.queuedCount).toBe(1);
      // When the slot frees, the run that was waiting starts, and the cancelled one does not.
      await services.runs.cancel(running.id);
      await expect.poll(() => status(services, waiting.id)).toBe('running');
      expect((await services.events.replay('stopped')).filter((event) => event.type === 'run-started')).toHaveLength(0);
    },
  );

  it('a run resumed at start that waits for a slot is queued, and can be cancelled', async () => {
    const { services } = await setup({
      seed: async (store) => {
        // Resumed oldest first, by creation.
        await store.runs.save({ ...storedRun('older', 'running'), createdAt: '2026-01-01T00:00:00.000Z' });
        await store.runs.save({ ...storedRun('newer', 'running'), createdAt: '2026-01-01T00:00:01.000Z' });
      },
    });
    await expect.poll(() => status(services, 'older')).toBe('running');
    expect(await status(services, 'newer')).toBe('queued');
    expect((await services.runs.list()).runs.find((summary) => summary.id === 'newer')?.status).toBe('queued');
    expect((await services.runs.cancel('newer')).status).toBe('cancelled');
    expect(services.runs.queuedCount).toBe(0);
  });
});
