import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/types/run-record.js';
import { startFixtureWeb } from '../helpers/fixture-web.js';
import { auth, buildTestApp, waitForRun } from '../helpers/services.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(llmOptions: Parameters<typeof startScriptedLlm>[0] = {}, extra: Record<string, unknown> = {}) {
  const llm = await startScriptedLlm({ keywords: ['Arduino'], ...llmOptions });
  cleanups.push(() => llm.close());
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
  cleanups.push(() => web.close());
  const built = await buildTestApp({
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
    pricing: { 'llm/test-model': { input: 1, output: 1 } },
    plugins: web.plugins,
    ...extra,
  });
  cleanups.push(built.close);
  const submit = async (topic: string, body: Record<string, unknown> = {}) =>
    (
      await built.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { topic, ...body } })
    ).json() as { id: string };
  return { llm, web, ...built, submit };
}

describe('run control', () => {
  it('cancels a running run within a second, stopping its LLM calls', async () => {
    const { app, llm, submit } = await setup({ latencyMs: 10_000 });
    const { id } = await submit('Arduino boards');
    await expect.poll(() => llm.calls.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const started = Date.now();
    const cancelled = await app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel`, headers: auth });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    const calls = llm.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(llm.calls.length).toBe(calls);
    const again = await app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel`, headers: auth });
    expect(again.statusCode).toBe(409);
  });

  it('refuses at once to resume a running run, over a real socket, and a cancel sent right after still stops it', async () => {
    const { app, llm, submit } = await setup({ latencyMs: 10_000 });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const { id } = await submit('Arduino boards');
    await expect.poll(() => llm.calls.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const post = (action: string) => fetch(`${url}/v1/runs/${id}/${action}`, { method: 'POST', headers: auth });
    const started = Date.now();
    const resumed = await post('resume');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(resumed.status).toBe(409);
    expect(((await resumed.json()) as { error: { message: string } }).error.message).toContain('is running');
    const cancelled = await post('cancel');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id, status: 'cancelled' });
  });

  it('cancels a queued run before it starts', async () => {
    const { app, submit } = await setup({ latencyMs: 5_000 }, { runs: { concurrency: 1 } });
    const first = await submit('Arduino boards');
    const second = await submit('Arduino shields');
    const cancelled = await app.inject({ method: 'POST', url: `/v1/runs/${second.id}/cancel`, headers: auth });
    expect(cancelled.json()).toMatchObject({ id: second.id, status: 'cancelled' });
    expect(((await app.inject({ url: `/v1/runs/${first.id}`, headers: auth })).json() as Run).status).toBe('running');
    await app.inject({ method: 'POST', url: `/v1/runs/${first.id}/cancel`, headers: auth });
  });

  it('resumes a failed run from its persisted steps, paying only for what had not finished', async () => {
    const { app, llm, submit } = await setup();
    llm.failing = { action: 'Report', status: 401 };
    const { id } = await submit('Arduino boards and their makers');
    const failed = (await waitForRun(app, id)) as unknown as Run;
    expect(failed.status).toBe('failed');
    expect(failed.failure?.code).toBe('AGENTD_ERR_PROVIDER');
    expect(failed.failure?.message).toContain('authentication failed (HTTP 401)');
    expect(failed.sources.length).toBeGreaterThan(0);

    llm.failing = undefined;
    const before = llm.calls.length;
    const resumed = await app.inject({ method: 'POST', url: `/v1/runs/${id}/resume`, headers: auth });
    expect(resumed.json()).toMatchObject({ id, status: expect.stringMatching(/queued|running/) });
    const done = (await waitForRun(app, id)) as unknown as Run;
    expect(done.failure).toBeUndefined();
    expect(done.status).toBe('completed');
    expect(done.report).toMatch(/^# /);
    // Only the report was asked again: every other answer was replayed from the run's steps.
    expect(llm.calls.slice(before).map((call) => call.action)).toEqual(['Report']);
    expect((await app.inject({ method: 'POST', url: `/v1/runs/${id}/resume`, headers: auth })).statusCode).toBe(409);
  });

  it('answers a second run of the same topic from the caches, with zero tokens', async () => {
    const { app, llm, web, submit } = await setup();
    const first = (await waitForRun(app, (await submit('Arduino boards')).id)) as unknown as Run;
    expect(first.usage.promptTokens).toBeGreaterThan(0);
    const calls = llm.calls.length;
    const pageFetches = [...web.hits.entries()]
      .filter(([path]) => path.startsWith('/pages/'))
      .reduce((sum, [, count]) => sum + count, 0);
    const second = (await waitForRun(app, (await submit('Arduino boards')).id)) as unknown as Run;
    expect(second.status).toBe('completed');
    expect(second.usage).toMatchObject({ calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(llm.calls.length).toBe(calls);
    expect(
      [...web.hits.entries()].filter(([path]) => path.startsWith('/pages/')).reduce((sum, [, count]) => sum + count, 0),
    ).toBe(pageFetches);
    expect(second.report).toBe(first.report);
  });

  it('fails a run at once when the provider refuses its key, instead of browsing on with fallbacks', async () => {
    const { app, llm, web, submit } = await setup();
    llm.failing = { action: '*', status: 401 };
    const run = (await waitForRun(app, (await submit('Arduino boards')).id)) as unknown as Run;
    expect(run.status).toBe('failed');
    expect(run.failure).toMatchObject({
      code: 'AGENTD_ERR_PROVIDER',
      message: expect.stringContaining('authentication failed (HTTP 401)'),
    });
    // The first call (KeywordExtract) was refused: one attempt, no pages fetched on a run that cannot finish.
    expect(llm.calls).toHaveLength(1);
    expect([...web.hits.keys()].some((path) => path.startsWith('/pages/'))).toBe(false);
  });

  it('rejects an unknown role and a malformed run with a 400', async () => {
    const { app } = await setup();
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth,
      payload: { topic: 'x', team: ['researcher', 'poet'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('unknown role "poet"');
    expect(
      (await app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { topic: '' } })).statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/runs',
          headers: auth,
          payload: { topic: 'x', language: 'not a language' },
        })
      ).statusCode,
    ).toBe(400);
    expect((await app.inject({ url: '/v1/runs/nope', headers: auth })).statusCode).toBe(404);
  });
});

describe('the run list', () => {
  it('reflects a new run, a status change and spend at once, though it is cached between changes', async () => {
    const { app, submit } = await setup();
    const list = async () =>
      (
        (await app.inject({ url: '/v1/runs', headers: auth })).json() as {
          runs: Array<{ id: string; status: string; costUsd: number }>;
        }
      ).runs;
    expect(await list()).toEqual([]);
    const { id } = await submit('Arduino boards');
    expect((await list())[0]).toMatchObject({ id, status: expect.stringMatching(/queued|running/) });
    await waitForRun(app, id);
    const [done] = await list();
    expect(done).toMatchObject({ id, status: 'completed' });
    expect(done!.costUsd).toBeGreaterThan(0);
    expect(await list()).toEqual([done]);
  });
});
