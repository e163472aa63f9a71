import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/daemon/services.js';
import { startOpenAIUpstream } from '../helpers/openai-upstream.js';
import { auth, buildTestApp } from '../helpers/services.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

const STATIC_BROWSE = fileURLToPath(new URL('../fixtures/plugins/static-browse.mjs', import.meta.url));

interface Operation {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  openapi: string;
  servers: Array<{ url: string }>;
  components: { schemas: Record<string, object> };
  paths: Record<string, Record<string, Operation>>;
}

/** Every method and path fastify serves, from its route tree (`/v1/runs/:id` as `/v1/runs/{id}`). */
function servedRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    const parent = (stack.at(-1) ?? '').replace(/\/$/, '');
    const segment = match[2] as string;
    stack.push(depth === 0 ? segment : `${parent}${segment.startsWith('/') ? '' : '/'}${segment}`);
    for (const method of (match[3] as string).split(', ').filter((name) => name !== 'HEAD'))
      routes.push(`${method} ${(stack.at(-1) as string).replace(/:(\w+)/g, '{$1}').replace('/*', '/{id}')}`);
  }
  return routes;
}

describe('the OpenAPI document', () => {
  let upstream: WireServer;
  let web: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let base: string;
  let document: Document;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    web = await startWireServer((request, response) => {
      const url = new URL(request.url, 'http://x');
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
      return sendJson(response, 404, {});
    });
    ({ app, services, close } = await buildTestApp({
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1` } },
      pricing: { 'vllm/qwen': { input: 1, output: 2 } },
      models: { default: 'vllm/qwen' },
      plugins: {
        search: { use: 'searxng', baseURL: web.url },
        browse: { use: STATIC_BROWSE },
        wiki: { use: 'mediawiki', apiURL: `${web.url}/w/api.php` },
      },
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // As run-daemon.ts does once it listens.
    services.url = base;
    document = (await (await fetch(`${base}/v1/openapi.json`, { headers: auth })).json()) as Document;
  });
  afterAll(async () => {
    await close();
    await upstream.close();
    await web.close();
  });

  it("passes Redocly's recommended-strict lint rules", async () => {
    // A WebSocket handshake answers 101 and a login link 303: those operations have no 2XX, and only they.
    const config = await createConfig({ extends: ['recommended-strict'], rules: { 'operation-2xx-response': 'off' } });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
    expect(problems.map((problem) => `${problem.ruleId}: ${problem.message} ${problem.location[0]?.pointer}`)).toEqual(
      [],
    );
    const without2xx = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => !Object.keys(operation.responses).some((status) => /^2/.test(status)))
        .map(([method]) => `${method} ${path}`),
    );
    expect(without2xx.sort()).toEqual(['get /login', 'get /v1/events', 'get /v1/runs/{id}/events']);
  });

  it("describes every route the server serves, each with its own operationId, at the daemon's URL", () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(servedRoutes(app).sort());
    const ids = Object.values(document.paths).flatMap((operations) =>
      Object.values(operations).map((operation) => operation.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.servers).toEqual([{ url: base, description: 'this daemon' }]);
  });

  it('takes the request schemas from the zod validators of the routes', () => {
    const submit = document.paths['/v1/runs']?.post?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(submit?.properties ?? {})).toEqual(['topic', 'language', 'budgetUsd', 'team']);
    expect(submit?.required).toEqual(['topic']);
    const chat = document.paths['/v1/chat/completions']?.post?.requestBody?.content['application/json']?.schema;
    expect(chat?.required).toEqual(expect.arrayContaining(['model', 'messages']));
  });

  it('documents the answers the routes really give, field for field', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(document.components.schemas))
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    const expectDocumented = (
      method: string,
      path: string,
      status: string,
      body: unknown,
      type = 'application/json',
    ) => {
      const schema = document.paths[path]?.[method]?.responses[status]?.content?.[type]?.schema;
      expect(schema, `${method} ${path} ${status}`).toBeDefined();
      const validate = ajv.compile(schema as object);
      expect(validate(body) ? [] : validate.errors, `${method} ${path}`).toEqual([]);
    };
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: String(response.status), text: await response.text() };
    };
    const check = async (method: string, path: string, documentedPath = path, body?: unknown) => {
      const response = await call(method.toUpperCase(), path, body);
      expectDocumented(method, documentedPath, response.status, JSON.parse(response.text));
    };

    await check('get', '/health');
    await check('post', '/v1/chat/completions', undefined, {
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await check('post', '/v1/embeddings', undefined, { model: 'vllm/embedder', input: ['a', 'bc'] });
    for (const path of ['/v1/status', '/v1/providers', '/v1/usage', '/v1/usage/history', '/v1/limits/history'])
      await check('get', path);
    await check('get', '/v1/models');
    await check('get', '/v1/models/vllm%2Fqwen', '/v1/models/{id}');
    await check('post', '/v1/tools/search', undefined, { query: 'a' });
    await check('post', '/v1/tools/wiki', undefined, { query: 'known' });
    await check('post', '/v1/tools/browse', undefined, { url: 'https://example.org/page' });
    await check('post', '/v1/runs', undefined, { topic: 'documented answers', team: ['extractor'] });
    await check('get', '/v1/runs');
    const missing = await call('GET', '/v1/runs/no-such-run');
    expect(missing.status).toBe('404');
    expect(ajv.validate('#/components/schemas/Error', JSON.parse(missing.text)), JSON.stringify(ajv.errors)).toBe(true);

    // Server-sent events: each `data:` line but the last is a documented chunk.
    const stream = await call('POST', '/v1/chat/completions', {
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const lines = stream.text.split('\n\n').filter(Boolean);
    expect(lines.at(-1)).toBe('data: [DONE]');
    for (const line of lines.slice(0, -1))
      expect(ajv.validate('#/components/schemas/ChatCompletionChunk', JSON.parse(line.slice('data: '.length)))).toBe(
        true,
      );
  });
});
