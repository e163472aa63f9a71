import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon } from '../helpers/daemon.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function daemonAfterOneCall(config: Record<string, unknown>) {
  const llm = await startScriptedLlm();
  cleanups.push(() => llm.close());
  const daemon = await startTestDaemon({
    providers: { proxy: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'proxy/gpt-4o-mini' },
    ...config,
  });
  cleanups.push(() => daemon.stop());
  const answer = await daemon.request('POST', '/v1/chat/completions', {
    model: 'proxy/gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  expect(answer.status).toBe(200);
  return daemon;
}

describe('agentd status shows spend against the budget', () => {
  it('names budget.totalUsd beside the spend, and warns that calls to a model without a price escape every budget', async () => {
    // An OpenAI-compatible service at its own baseURL has no built-in price: its calls count $0.
    const daemon = await daemonAfterOneCall({ budget: { totalUsd: 5, perRunUsd: 0.5 } });
    const status = await daemon.cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('spend: $0.0000 of $5 (budget.totalUsd) over 1 calls');
    expect(status.stdout).toContain('some calls were to models without a known price: they count $0 and no budget');

    const json = JSON.parse((await daemon.cli(['status', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ budget: { totalUsd: 5, perRunUsd: 0.5 }, usage: { calls: 1, costUnknown: true } });
  });

  it('says nothing of prices when every call had one, nor of a total budget when there is none', async () => {
    const daemon = await daemonAfterOneCall({ pricing: { 'proxy/gpt-4o-mini': { input: 0.15, output: 0.6 } } });
    const status = await daemon.cli(['status']);
    expect(status.stdout).toMatch(/spend: \$0\.0000 over 1 calls \(\d+ tokens\)\n/);
    expect(status.stdout).not.toContain('known price');
  });
});
