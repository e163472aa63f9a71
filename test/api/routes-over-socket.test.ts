import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Services } from '../../src/daemon/services.js';
import type { Run } from '../../src/types/run-record.js';
import { startOpenAIUpstream } from '../helpers/openai-upstream.js';
import { registeredRoutes } from '../helpers/registered-routes.js';
import { buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

/** A run that finished before this test started, as the store holds one. */
const FINISHED: Run = {
  id: 'finished-run',
  topic: 'Arduino boards',
  language: 'en',
  status: 'completed',
  createdAt: '2026-11-29T10:00:00.000Z',
  startedAt: '2026-11-29T10:00:01.000Z',
  finishedAt: '2026-11-29T10:03:00.000Z',
  team: ['extractor', 'researcher', 'wiki'],
  keywords: ['Arduino'],
  wiki: [],
  sources: [],
  report: '# Arduino boards\n\nThey are small.\n',
  usage: { calls: 3, promptTokens: 30, completionTokens: 12, costUsd: 0 },
  errors: [],
};

/** The messages of a WebSocket until it closes, and its close code. */
function follow(url: string, onOpen?: (socket: WebSocket) => void): Promise<{ messages: unknown[]; code: number }> {
  return new Promise((resolve, reject) => {
    const messages: unknown[] = [];
    const socket = new WebSocket(url);
    socket.on('open', () => onOpen?.(socket));
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.on('close', (code) => resolve({ messages, code }));
    socket.on('error', reject);
  });
}

/**
 * Every route of the API over a real listening socket with a real client (fetch, ws), one test each, since
 * inject() has no socket: a hang-up detector that aborted every real request once passed all inject tests.
 * The last test walks the routes fastify registered and fails for one that no test here called over a
 * socket, so a new route cannot land without its socket test.
 */
describe('every route over a real socket', () => {
  let upstream: WireServer;
  let stuck: WireServer;
  let web: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let base: string;
  let runId: string;
  let session: string;
  /** `METHOD /url-pattern` of each request that reached its route over a real TCP socket. */
  const called = new Set<string>();

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    // The runs' model never answers: a submitted run stays running until it is cancelled, doing nothing meanwhile.
    stuck = await startWireServer((request, response) =>
      request.url.endsWith('/models')
        ? sendJson(response, 200, { object: 'list', data: [{ id: 'm', object: 'model', created: 1, owned_by: 'me' }] })
        : new Promise<void>(() => {}),
    );
    web = await startWireServer((request, response) => {
      const url = new URL(request.url, 'http://web');
      if (url.pathname === '/search')
        return sendJson(response, 200, { results: [{ url: 'https://example.org/a', title: 'A', content: 'about a' }] });
      if (url.pathname === '/w/api.php')
        return sendJson(
          response,
          200,
          url.searchParams.get('list') === 'search'
            ? { query: { search: [{ title: 'Known' }] } }
            : {
                query: {
                  pages: [
                    { title: 'Known', extract: 'Known is known.', fullurl: 'https://en.wikipedia.org/wiki/Known' },
                  ],
                },
              },
        );
      // Plain text: the browse route is what is under test here, not the HTML extractor (tested elsewhere).
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Plain notes about rate limits.');
    });
    ({ app, services, close } = await buildTestApp({
      providers: {
        up: { type: 'openai', baseURL: `${upstream.url}/v1` },
        stuck: { type: 'openai', baseURL: `${stuck.url}/v1` },
      },
      models: { default: 'stuck/m' },
      plugins: {
        search: { use: 'searxng', baseURL: web.url },
        browse: { use: 'http', allowHosts: [`127.0.0.1:${web.port}`] },
        wiki: { use: 'mediawiki', apiURL: `${web.url}/w/api.php` },
      },
    }));
    // Added after the routes: fastify applies hooks to every route when it becomes ready. After the guards too,
    // so only a request that got through them to its route counts.
    app.addHook('onRequest', async (request) => {
      if (request.raw.socket instanceof Socket && request.routeOptions.url)
        called.add(`${request.method} ${request.routeOptions.url}`);
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    await services.store.runs.save(FINISHED);
  });
  afterAll(async () => {
    await close();
    await Promise.all([upstream.close(), stuck.close(), web.close()]);
  });

  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${base}${path}`, { headers });
  const post = (path: string, body?: unknown, headers: Record<string, string> = auth) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      ...(body === undefined
        ? { headers }
        : { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  it('GET /health answers without a token', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: expect.any(String) });
  });

  it('GET /v1/status', async () => {
    const response = await get('/v1/status');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      pid: process.pid,
      version: expect.any(String),
      providers: [{ name: 'up', type: 'openai' }, { name: 'stuck' }],
      usage: { calls: expect.any(Number) },
      runs: { active: expect.any(Number), queued: expect.any(Number) },
    });
  });

  it('GET /v1/providers', async () => {
    const response = await get('/v1/providers');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      providers: [
        { name: 'up', type: 'openai', baseURL: `${upstream.url}/v1`, models: { default: null } },
        { name: 'stuck', models: { default: 'stuck/m' } },
      ],
    });
  });

  it('POST /v1/chat/completions', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'up/qwen',
      messages: [{ role: 'user', content: 'over the socket' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-agentd-overhead-ms')).toMatch(/^\d/);
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      model: 'up/qwen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo: over the socket' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    });
  });

  it('GET /v1/usage counts that call', async () => {
    const response = await get('/v1/usage');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      calls: 1,
      promptTokens: 11,
      completionTokens: 7,
      byModel: { 'up/qwen': { calls: 1 } },
      budget: { totalUsd: null },
    });
  });

  it('GET /v1/usage/history', async () => {
    const response = await get('/v1/usage/history?bucketSeconds=60');
    expect(response.status).toBe(200);
    const history = (await response.json()) as { bucketSeconds: number; buckets: Array<{ byModel: object }> };
    expect(history.bucketSeconds).toBe(60);
    expect(history.buckets.at(-1)?.byModel).toHaveProperty('up/qwen');
  });

  it('GET /v1/limits/history', async () => {
    const response = await get('/v1/limits/history');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      intervalMs: expect.any(Number),
      providers: [{ name: 'up' }, { name: 'stuck' }],
    });
  });

  it('GET /v1/models', async () => {
    const response = await get('/v1/models');
    expect(response.status).toBe(200);
    const list = (await response.json()) as { object: string; data: Array<{ id: string; owned_by: string }> };
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toEqual(expect.arrayContaining(['up/qwen', 'up/embedder']));
  });

  it('GET /v1/models/{id}', async () => {
    const response = await get('/v1/models/up%2Fembedder');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 'up/embedder',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'up',
    });
  });

  it('POST /v1/embeddings', async () => {
    const response = await post('/v1/embeddings', { model: 'up/embedder', input: 'hello' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [5, 0.5, -1] }],
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  });

  it('POST /v1/tools/search', async () => {
    const response = await post('/v1/tools/search', { query: 'rate limits', limit: 2 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      results: [{ url: 'https://example.org/a', title: 'A', snippet: 'about a' }],
    });
  });

  it('POST /v1/tools/browse', async () => {
    const response = await post('/v1/tools/browse', { url: `${web.url}/notes.txt` });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      url: `${web.url}/notes.txt`,
      content: expect.stringContaining('Plain notes about rate limits.'),
      tokens: expect.any(Number),
    });
  });

  it('POST /v1/tools/wiki', async () => {
    const response = await post('/v1/tools/wiki', { query: 'known' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ title: 'Known', url: 'https://en.wikipedia.org/wiki/Known' });
  });

  it('POST /v1/runs', async () => {
    const response = await post('/v1/runs', { topic: 'Arduino boards over a socket' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string };
    expect(body).toEqual({ id: expect.any(String), status: 'queued' });
    runId = body.id;
  });

  it('GET /v1/runs', async () => {
    const response = await get('/v1/runs');
    expect(response.status).toBe(200);
    const { runs } = (await response.json()) as { runs: Array<{ id: string; status: string }> };
    expect(runs.map((run) => run.id)).toEqual(expect.arrayContaining([runId, FINISHED.id]));
    // A page at a time, newest first: the run just submitted, then the one finished before.
    const first = (await (await get('/v1/runs?limit=1')).json()) as { runs: Array<{ id: string }>; next: string };
    expect(first).toEqual({ runs: [expect.objectContaining({ id: runId })], next: runId });
    const second = (await (await get(`/v1/runs?limit=1&before=${first.next}`)).json()) as unknown;
    expect(second).toEqual({ runs: [expect.objectContaining({ id: FINISHED.id, status: 'completed' })] });
    const refused = await get('/v1/runs?limit=5000');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'limit: expected at most 1000',
    );
  });

  it('GET /v1/runs/:id', async () => {
    const response = await get(`/v1/runs/${FINISHED.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: FINISHED.id, topic: FINISHED.topic, status: 'completed' });
  });

  it('GET /v1/runs/:id/report', async () => {
    const response = await get(`/v1/runs/${FINISHED.id}/report`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await response.text()).toBe(FINISHED.report);
  });

  it('POST /v1/runs/:id/cancel', async () => {
    const response = await post(`/v1/runs/${runId}/cancel`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: runId, status: 'cancelled' });
  });

  it('GET /v1/runs/:id/events (WebSocket) replays to the terminal event, then closes', async () => {
    const { messages, code } = await follow(
      `${base.replace('http', 'ws')}/v1/runs/${runId}/events?token=${TEST_TOKEN}`,
    );
    expect(code).toBe(1000);
    expect(messages[0]).toMatchObject({ seq: 1, runId, type: 'run-queued' });
    expect(messages.at(-1)).toMatchObject({ runId, type: 'run-cancelled' });
  });

  it('GET /v1/events (WebSocket) and POST /v1/runs/:id/resume', async () => {
    let resumed: Response | undefined;
    const { messages } = await follow(`${base.replace('http', 'ws')}/v1/events?token=${TEST_TOKEN}`, (socket) => {
      socket.once('message', () => socket.close());
      void post(`/v1/runs/${runId}/resume`).then((response) => (resumed = response));
    });
    expect(messages[0]).toMatchObject({ runId, type: 'run-queued' });
    await expect.poll(() => resumed?.status).toBe(200);
    expect(await resumed!.json()).toMatchObject({ id: runId });
    // Not part of this test: the resumed run is cancelled again so that it does no work meanwhile.
    expect((await post(`/v1/runs/${runId}/cancel`)).status).toBe(200);
  });

  it('POST /v1/dashboard/login, GET /login and the dashboard pages', async () => {
    const issued = await post('/v1/dashboard/login');
    expect(issued.status).toBe(200);
    const { path } = (await issued.json()) as { path: string };
    const login = await fetch(`${base}${path}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    session = String(login.headers.get('set-cookie')).split(';')[0]!;
    for (const page of ['/', `/runs/${FINISHED.id}`, '/usage', '/limits']) {
      const response = await get(page, { cookie: session });
      expect(response.status, page).toBe(200);
      expect(response.headers.get('content-type'), page).toMatch(/^text\/html/);
      expect(await response.text(), page).toContain('<script');
    }
  });

  it('GET /assets/:name', async () => {
    const response = await fetch(`${base}/assets/app.css`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await response.text()).length).toBeGreaterThan(100);
  });

  it('POST /v1/dashboard/logout', async () => {
    const response = await post('/v1/dashboard/logout', undefined, { cookie: session, origin: base });
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('GET /v1/openapi.json', async () => {
    const response = await get('/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), paths: expect.any(Object) });
  });

  it('every route the server registers was called over the socket by a test above', () => {
    const routes = registeredRoutes(app);
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((route) => !called.has(route))).toEqual([]);
  });
});
