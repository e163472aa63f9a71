import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/types/run-record.js';
import { freePort } from '../helpers/free-port.js';
import { auth, buildTestApp, waitForRun } from '../helpers/services.js';
import { smallWeb } from '../helpers/provider-listings.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('honest outcomes', () => {
  it('a run whose every LLM call failed to connect fails as provider-unreachable, naming the provider and its URL', async () => {
    const port = await freePort();
    const built = await buildTestApp({
      providers: { local: { type: 'ollama', baseURL: `http://127.0.0.1:${port}` } },
      models: { default: 'local/llama3.1' },
    });
    cleanups.push(built.close);
    const { id } = (
      await built.app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: auth,
        payload: { topic: 'Arduino boards', team: ['extractor'] },
      })
    ).json() as { id: string };
    const run = (await waitForRun(built.app, id)) as unknown as Run;
    expect(run.status).toBe('failed');
    expect(run.failure?.code).toBe('AGENTD_ERR_PROVIDER_UNREACHABLE');
    expect(run.failure?.message).toContain('provider-unreachable');
    expect(run.failure?.message).toContain('"local"');
    expect(run.failure?.message).toContain(`http://127.0.0.1:${port}`);
  });

  it('a run whose every search failed for network reasons fails as search-unreachable, naming the URL', async () => {
    const llm = await startScriptedLlm({ keywords: ['Arduino'] });
    cleanups.push(() => llm.close());
    const port = await freePort();
    // The wiki answers: the run has background enough for a report, and must not pay for one.
    const web = await smallWeb();
    cleanups.push(() => web.close());
    const built = await buildTestApp({
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      plugins: {
        search: { use: 'searxng', baseURL: `http://127.0.0.1:${port}` },
        wiki: { use: 'mediawiki', apiURL: `${web.url}/w/api.php` },
      },
    });
    cleanups.push(built.close);
    const { id } = (
      await built.app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: auth,
        payload: { topic: 'Arduino boards', team: ['extractor', 'researcher', 'wiki'] },
      })
    ).json() as { id: string };
    const run = (await waitForRun(built.app, id)) as unknown as Run;
    expect(run.status).toBe('failed');
    expect(llm.calls.map((call) => call.action)).toContain('Wiki');
    expect(run.failure?.code).toBe('AGENTD_ERR_SEARCH_UNREACHABLE');
    expect(run.failure?.message).toContain(`127.0.0.1:${port}`);
    // Known before the report: none was paid for.
    expect(llm.calls.map((call) => call.action)).not.toContain('Report');
  });
});
