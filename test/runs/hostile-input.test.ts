import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { closeServices, createServices } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import { emptyUsage, type Run } from '../../src/types/run-record.js';
import { Store } from '../../src/store/store.js';
import { auth, buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('names that come from a request', () => {
  it.each(['valueOf', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'refuses a team naming "%s", a member of every object, with a 400',
    async (name) => {
      const built = await buildTestApp();
      cleanups.push(built.close);
      const response = await built.app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: auth,
        payload: { topic: 'x', team: ['wiki', name] },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain(`unknown role "${name}"`);
      expect(await built.services.runs.list()).toEqual({ runs: [] });
    },
  );
});

describe('a stored run that cannot be executed', () => {
  it('is failed with the reason when the daemon resumes it, and not resumed again at the next start', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const config = parseConfig(
      {
        dataDir: temp.dir,
        server: { token: TEST_TOKEN },
        providers: { local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' } },
      },
      { env: {} },
    );
    // A run an older daemon accepted before names were checked: it names a member of Object.prototype.
    const store = await Store.open(temp.dir);
    const stored: Run = {
      id: 'legacy-run',
      topic: 'x',
      language: 'en',
      status: 'running',
      createdAt: new Date().toISOString(),
      team: ['wiki', 'valueOf'],
      keywords: [],
      wiki: [],
      sources: [],
      report: '',
      usage: emptyUsage(),
      errors: [],
    };
    await store.runs.save(stored);
    store.close();

    for (const _start of [1, 2]) {
      const services = await createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
      await services.runs.start();
      await expect.poll(async () => (await services.runs.get('legacy-run')).status, { timeout: 5_000 }).toBe('failed');
      const run = await services.runs.get('legacy-run');
      expect(run.failure?.message).toContain('unknown role "valueOf"');
      const events = await services.events.replay('legacy-run');
      // Failed once, at the first start; the second start leaves it alone.
      expect(events.filter((event) => event.type === 'run-failed')).toHaveLength(1);
      expect(events.filter((event) => event.type === 'run-started')).toHaveLength(0);
      await closeServices(services);
    }
  });
});
