import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/types/run-record.js';
import { startTestDaemon, waitForStatus } from '../helpers/daemon.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const STRAY_PLUGIN = fileURLToPath(new URL('../fixtures/plugins/stray-rejection.mjs', import.meta.url));

describe('the daemon process', () => {
  it('fails the run an unhandled rejection belongs to, and keeps serving', async () => {
    const llm = await startScriptedLlm({ keywords: ['Arduino'] });
    cleanups.push(() => llm.close());
    const daemon = await startTestDaemon({
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      plugins: { search: { use: STRAY_PLUGIN } },
    });
    cleanups.push(() => daemon.stop());
    const { body } = await daemon.request<{ id: string }>('POST', '/v1/runs', {
      topic: 'Arduino boards',
      team: ['extractor', 'researcher'],
    });
    const run = (await waitForStatus(daemon, body.id)) as unknown as Run;
    expect(run.status).toBe('failed');
    expect(run.failure).toMatchObject({
      code: 'AGENTD_ERR_INTERNAL',
      message: expect.stringContaining('a plugin bug nobody awaited'),
    });
    const health = await fetch(`${daemon.url}/health`);
    expect(health.status).toBe(200);
    const second = await daemon.request<{ id: string }>('POST', '/v1/runs', {
      topic: 'Arduino shields',
      team: ['extractor'],
    });
    expect(((await waitForStatus(daemon, second.body.id)) as unknown as Run).status).toBe('completed');
  });
});
