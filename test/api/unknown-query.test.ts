import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auth, buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { registeredRoutes } from '../helpers/registered-routes.js';

/** The dashboard's HTML pages and files: they read no query, and a stray one must still show the page. */
const PAGES = new Set(['GET /', 'GET /runs/:id', 'GET /usage', 'GET /limits', 'GET /login', 'GET /assets/:name']);

const badRequest = (param: string) => ({
  error: {
    message: expect.stringContaining(`unknown query parameter "${param}"`) as string,
    type: 'invalid_request_error',
    param,
    code: 'AGENTD_ERR_BAD_REQUEST',
  },
});

describe('unknown query parameters', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ app, close } = await buildTestApp());
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => close());

  it('are refused with 400 naming the parameter on every API route, and ignored by the dashboard pages', async () => {
    const routes = registeredRoutes(app);
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as ['GET' | 'POST', string];
      const url = `${pattern.replace(/:\w+/g, 'x').replace('*', 'x')}?nonsense=1`;
      const response = await app.inject({ method, url, headers: auth });
      if (PAGES.has(route)) expect(response.statusCode, route).not.toBe(400);
      else {
        expect(response.statusCode, route).toBe(400);
        expect(response.json(), route).toEqual(badRequest('nonsense'));
      }
    }
  });

  it('says which parameters the route takes, and still answers the known ones', async () => {
    const misspelt = await app.inject({ url: '/v1/runs?limt=5', headers: auth });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().error.message).toBe('unknown query parameter "limt": GET /v1/runs takes "limit", "before"');
    expect((await app.inject({ url: '/v1/runs?limit=5', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/usage/history?bucketSeconds=60', headers: auth })).statusCode).toBe(200);
    const none = await app.inject({ url: '/v1/status?verbose=1', headers: auth });
    expect(none.json().error.message).toBe('unknown query parameter "verbose": GET /v1/status takes none');
  });

  it('refuses them on the HEAD routes fastify derives from the GET ones too', async () => {
    expect((await app.inject({ method: 'HEAD', url: '/v1/status?verbose=1', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ method: 'HEAD', url: '/?utm_source=mail', headers: auth })).statusCode).toBe(401);
  });

  it('keeps the 401 of a request without the token and the 404 of a path that is no route', async () => {
    expect((await app.inject({ url: '/v1/runs?limt=5' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/nothing?limt=5', headers: auth })).statusCode).toBe(404);
  });

  it('is a typed BadRequestError with its param for the openai SDK, over a real socket', async () => {
    // Azure's `api-version` is what an SDK set up for another server would add to every request.
    const client = new OpenAI({
      baseURL: `${base}/v1`,
      apiKey: TEST_TOKEN,
      defaultQuery: { 'api-version': '2024-10-21' },
      maxRetries: 0,
    });
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'api-version', code: 'AGENTD_ERR_BAD_REQUEST' });
    const plain = await fetch(`${base}/v1/runs?limit=5&befor=x`, { headers: auth });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual(badRequest('befor'));
  });

  it('refuses a WebSocket upgrade with an unknown parameter with 400, and accepts since and token', async () => {
    const ws = base.replace('http', 'ws');
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${ws}/v1/events?token=${TEST_TOKEN}&since=3`);
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => reject(new Error('the upgrade was accepted')));
      socket.on('error', () => {});
    });
    // `since` replays one run's events; the stream of every run has none to replay.
    expect(refused).toBe(400);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(`${ws}/v1/events?token=${TEST_TOKEN}`);
      socket.on('open', () => {
        resolve(true);
        socket.close();
      });
      socket.on('unexpected-response', () => resolve(false));
    });
    expect(accepted).toBe(true);
  });
});
