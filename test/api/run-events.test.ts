import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import type { RunEvent } from '../../src/types/run-events.js';
import { CLOSE_TOO_SLOW } from '../../src/server/routes/events.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { auth, buildTestApp, TEST_TOKEN, waitForRun } from '../helpers/services.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';

/** Collects a WebSocket's messages until it closes. */
function collect(url: string): Promise<{ events: RunEvent[]; code: number }> {
  return new Promise((resolve, reject) => {
    const events: RunEvent[] = [];
    const socket = new WebSocket(url);
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as RunEvent));
    socket.on('close', (code) => resolve({ events, code }));
    socket.on('error', reject);
  });
}

describe('run events over WebSocket', () => {
  let llm: ScriptedLlm;
  let web: FixtureWeb;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    llm = await startScriptedLlm({ keywords: ['Arduino'], latencyMs: 30 });
    web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
    ({ app, services, close } = await buildTestApp({
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      pricing: { 'llm/test-model': { input: 0.5, output: 1.5 } },
      plugins: web.plugins,
      cache: { llm: false },
    }));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    base = address.replace(/^http/, 'ws');
  });
  afterAll(async () => {
    await close();
    await llm.close();
    await web.close();
  });

  const submit = async (topic: string) =>
    (
      (await app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { topic } })).json() as {
        id: string;
      }
    ).id;

  it('streams a live run from its first event to its end, with no gap and no repeat', async () => {
    const id = await submit('Arduino boards live');
    const { events, code } = await collect(`${base}/v1/runs/${id}/events?token=${TEST_TOKEN}`);
    expect(code).toBe(1000);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]!.type).toBe('run-queued');
    expect(events.at(-1)!.type).toBe('run-completed');
    expect(events).toEqual(await services.events.replay(id));
  });

  it('gives each llm-call event the fields CONTRACT.md names (model, tokens, cost, ms), cost in US dollars', async () => {
    const id = await submit('Arduino boards costs');
    const { events } = await collect(`${base}/v1/runs/${id}/events?token=${TEST_TOKEN}`);
    const calls = events.flatMap((event) => (event.type === 'llm-call' ? [event.data] : []));
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) {
      expect(call).toMatchObject({ model: 'llm/test-model', ms: expect.any(Number) });
      expect(call.tokens).toBe(call.promptTokens + call.completionTokens);
      expect(call.cost).toBe(call.costUsd);
    }
    const run = (await app.inject({ method: 'GET', url: `/v1/runs/${id}`, headers: auth })).json() as {
      usage: { costUsd: number };
    };
    expect(calls.reduce((sum, call) => sum + call.cost, 0)).toBeCloseTo(run.usage.costUsd, 12);
    expect(run.usage.costUsd).toBeGreaterThan(0);
  });

  it('replays a finished run from the first event, or from since=N', async () => {
    const id = await submit('Arduino boards replay');
    await waitForRun(app, id);
    const all = await collect(`${base}/v1/runs/${id}/events?token=${TEST_TOKEN}`);
    const stored = await services.events.replay(id);
    expect(all.events).toEqual(stored);
    const later = await collect(`${base}/v1/runs/${id}/events?token=${TEST_TOKEN}&since=5`);
    expect(later.events.map((event) => event.seq)).toEqual(stored.slice(5).map((event) => event.seq));
  });

  it('streams every run on /v1/events and refuses a socket without a token', async () => {
    const socket = new WebSocket(`${base}/v1/events?token=${TEST_TOKEN}`);
    await new Promise((resolve) => socket.once('open', resolve));
    const seen: RunEvent[] = [];
    socket.on('message', (data) => seen.push(JSON.parse(String(data)) as RunEvent));
    const id = await submit('Arduino boards everywhere');
    await waitForRun(app, id);
    await expect.poll(() => seen.some((event) => event.runId === id && event.type === 'run-completed')).toBe(true);
    const ours = seen.filter((event) => event.runId === id).map((event) => event.seq);
    expect(ours).toEqual([...ours].sort((a, b) => a - b));
    socket.close();

    const refused = await new Promise<number>((resolve) => {
      const anonymous = new WebSocket(`${base}/v1/events`);
      // The daemon must close a refused upgrade's socket itself, or the suite's teardown would hang.
      anonymous.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      anonymous.on('error', () => undefined);
    });
    expect(refused).toBe(401);
  });

  it('answers a plain GET on either WebSocket route with a 426 in the API error shape that says how to connect', async () => {
    const id = await submit('Arduino boards by plain GET');
    for (const route of [`/v1/runs/${id}/events`, '/v1/events']) {
      const response = await fetch(`${base.replace(/^ws/, 'http')}${route}`, { headers: auth });
      expect(response.status).toBe(426);
      expect(response.headers.get('upgrade')).toBe('websocket');
      expect(await response.json()).toEqual({
        error: {
          message: `${route} is a WebSocket route: connect with "Upgrade: websocket"`,
          type: 'invalid_request_error',
          param: null,
          code: 'AGENTD_ERR_BAD_REQUEST',
        },
      });
    }
    expect((await fetch(`${base.replace(/^ws/, 'http')}/v1/events`)).status).toBe(401);
    await waitForRun(app, id);
  });

  it('drops a client that stops reading instead of waiting for it, and the daemon stays responsive', async () => {
    const socket = new WebSocket(`${base}/v1/events?token=${TEST_TOKEN}`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    // Stop reading: the kernel buffers fill, and the server's send buffer grows past its bound.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const runId = await submit('Arduino boards slow client');
    const started = Date.now();
    for (let index = 0; index < 60; index += 1)
      services.events.emit(runId, 'message-published', {
        role: 'test',
        cause: 'Blob',
        to: ['*'],
        content: 'x'.repeat(100_000),
      });
    expect(Date.now() - started).toBeLessThan(2_000);
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(CLOSE_TOO_SLOW);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: `/v1/runs/${runId}/cancel`, headers: auth });
  });
});
