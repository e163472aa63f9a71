import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import { auth, buildTestApp } from '../helpers/services.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

/** The OpenAI-compatible API takes the provider's pass-through; everything else keeps the SDK. */
describe('the pass-through of the OpenAI-compatible API', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;

  beforeAll(async () => {
    upstream = await startWireServer((request, response) => {
      if (request.url.endsWith('/embeddings')) {
        return sendJson(response, 200, {
          object: 'list',
          model: 'embed',
          data: [{ object: 'embedding', index: 0, embedding: [0.5, 0.25] }],
          usage: { prompt_tokens: 2, total_tokens: 2 },
        });
      }
      sendJson(response, 200, {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      });
    });
    ({ app, services, close } = await buildTestApp({
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1` } },
      pricing: { 'vllm/qwen': { input: 1, output: 1 } },
      models: { default: 'vllm/qwen' },
    }));
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  it("sends the API's calls without the SDK and a run's through it, both limited and in the ledger", async () => {
    const api = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'vllm/qwen', messages: [{ role: 'user', content: 'hello' }] },
    });
    expect(api.statusCode).toBe(200);
    const embeddings = await app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: auth,
      payload: { model: 'vllm/embed', input: 'hello' },
    });
    expect(embeddings.json().data[0].embedding).toEqual([0.5, 0.25]);
    await services.gateway.generate({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'from a run' }] });
    // openai-node marks its requests with x-stainless-* headers; the pass-through sends none.
    const viaSdk = upstream.requests.map((request) => request.headers['x-stainless-lang'] !== undefined);
    expect(viaSdk).toEqual([false, false, true]);
    expect(upstream.requests.map((request) => request.json().messages ?? request.json().input)).toEqual([
      [{ role: 'user', content: 'hello' }],
      ['hello'],
      [{ role: 'user', content: 'from a run' }],
    ]);
    expect(services.gateway.ledger.totals().total).toMatchObject({ calls: 3, promptTokens: 12, completionTokens: 2 });
  });
});
