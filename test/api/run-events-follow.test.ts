import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunEvent } from '../../src/types/run-events.js';
import { auth, buildTestApp, TEST_TOKEN, waitForRun } from '../helpers/services.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Collects a WebSocket's messages until it closes, or gives up after `timeoutMs` (code -1: still open). */
function collect(url: string, timeoutMs = 15_000): Promise<{ events: RunEvent[]; code: number }> {
  return new Promise((resolve, reject) => {
    const events: RunEvent[] = [];
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      resolve({ events, code: -1 });
    }, timeoutMs);
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as RunEvent));
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve({ events, code });
    });
    socket.on('error', reject);
  });
}

async function setup(latencyMs: number) {
  const llm = await startScriptedLlm({ keywords: ['Arduino'], latencyMs });
  cleanups.push(() => llm.close());
  const built = await buildTestApp({
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
  });
  cleanups.push(built.close);
  const base = (await built.app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws');
  const submit = async () =>
    (
      (
        await built.app.inject({
          method: 'POST',
          url: '/v1/runs',
          headers: auth,
          payload: { topic: 'Arduino boards', team: ['extractor'] },
        })
      ).json() as { id: string }
    ).id;
  return { ...built, llm, base, submit };
}

describe('following a run over WebSocket', () => {
  it('following a resumed run from since=0 streams past its old run-cancelled to the end of the new execution', async () => {
    const { app, llm, base, submit } = await setup(800);
    const id = await submit();
    await expect.poll(() => llm.calls.length).toBeGreaterThan(0);
    await app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel`, headers: auth });
    await app.inject({ method: 'POST', url: `/v1/runs/${id}/resume`, headers: auth });
    const { events, code } = await collect(`${base}/v1/runs/${id}/events?since=0&token=${TEST_TOKEN}`);
    expect(code).toBe(1000);
    expect(events.map((event) => event.type)).toContain('run-cancelled');
    expect(events.at(-1)?.type).toBe('run-completed');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('a stop closes a follower with 1001 (going away), so that it waits for the next start instead of giving up', async () => {
    const { app, llm, base, submit } = await setup(0);
    const release = llm.hold('KeywordExtract');
    const id = await submit();
    const following = collect(`${base}/v1/runs/${id}/events?token=${TEST_TOKEN}`);
    await expect.poll(() => llm.calls.length).toBeGreaterThan(0);
    const closing = app.close();
    release();
    await closing;
    const { events, code } = await following;
    expect(code).toBe(1001);
    expect(events[0]?.type).toBe('run-queued');
  });

  it.each([0, 1, 5])('following a finished run from its last event + %i closes at once', async (beyond) => {
    const { app, base, submit, services } = await setup(0);
    const id = await submit();
    await waitForRun(app, id);
    const last = (await services.events.replay(id)).at(-1)!.seq;
    const { events, code } = await collect(
      `${base}/v1/runs/${id}/events?since=${last + beyond}&token=${TEST_TOKEN}`,
      3_000,
    );
    expect(events).toEqual([]);
    expect(code).toBe(1000);
  });
});
