import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import { auth, buildTestApp } from '../helpers/services.js';
import { listeningOpenAIClient } from '../helpers/sdk-client.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

/** `POST /v1/embeddings` with the openai SDK over a real socket: Ollama's /api/embed and an OpenAI-type server. */
describe('embeddings through agentd', () => {
  let ollama: WireServer;
  let vllm: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let client: OpenAI;

  beforeAll(async () => {
    ollama = await startWireServer((request, response) => {
      const { input } = request.json<{ input: string[] }>();
      sendJson(response, 200, {
        model: 'nomic-embed-text',
        embeddings: input.map((_text, index) => [0.5, -0.25, index]),
        prompt_eval_count: 6 * input.length,
      });
    });
    vllm = await startWireServer((_request, response) =>
      sendJson(response, 200, {
        object: 'list',
        model: 'embed',
        data: [{ object: 'embedding', index: 0, embedding: [0.125] }],
        usage: { prompt_tokens: 3, total_tokens: 3 },
      }),
    );
    ({ app, services, close } = await buildTestApp({
      providers: {
        local: { type: 'ollama', baseURL: ollama.url, limits: { tpm: 50_000 } },
        vllm: { type: 'openai', baseURL: `${vllm.url}/v1` },
      },
      pricing: {
        'local/nomic-embed-text': { input: 0.02, output: 0 },
        // A price no call fits under the budget: the budget's 402.
        'local/dear-embed': { input: 10_000_000, output: 0 },
      },
      budget: { totalUsd: 5 },
      models: { default: 'local/nomic-embed-text' },
    }));
    client = await listeningOpenAIClient(app);
  });
  afterAll(async () => {
    await close();
    await Promise.all([ollama.close(), vllm.close()]);
  });

  it("embeds through Ollama's /api/embed, decoded by the SDK, with the exact tokens and cost in the ledger and the limiter", async () => {
    const before = services.gateway.ledger.totals().total;
    const answer = await client.embeddings.create({ model: 'local/nomic-embed-text', input: ['one', 'two'] });
    // The SDK asks for base64 and decodes it: the floats survive the trip exactly (they are float32-exact).
    expect(answer.data.map((item) => item.embedding)).toEqual([
      [0.5, -0.25, 0],
      [0.5, -0.25, 1],
    ]);
    expect(answer.usage).toEqual({ prompt_tokens: 12, total_tokens: 12 });
    expect(ollama.requests.at(-1)!.url).toBe('/api/embed');
    expect(ollama.requests.at(-1)!.json()).toMatchObject({ model: 'nomic-embed-text', input: ['one', 'two'] });
    const after = services.gateway.ledger.totals().total;
    expect(after.calls - before.calls).toBe(1);
    expect(after.promptTokens - before.promptTokens).toBe(12);
    expect(after.costUsd - before.costUsd).toBeCloseTo((12 * 0.02) / 1e6, 12);
    // The limiter settled the reservation to the provider's count.
    const providers = (await app.inject({ url: '/v1/providers', headers: auth })).json();
    expect(providers.providers.find((provider: { name: string }) => provider.name === 'local')).toMatchObject({
      limits: { tpm: 50_000 },
      used: { requests: 1, tokens: 12 },
    });
  });

  it('refuses an embedding whose cost would cross the budget with a 402, before the provider is called', async () => {
    const calls = ollama.requests.length;
    const refused = await client.embeddings.create({ model: 'local/dear-embed', input: 'x' }).catch((error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(refused.status).toBe(402);
    expect(refused.error).toMatchObject({ code: 'AGENTD_ERR_BUDGET' });
    expect(ollama.requests.length).toBe(calls);
  });

  it('passes user to an OpenAI-type provider, and refuses it for Ollama naming the parameter and the provider', async () => {
    await client.embeddings.create({ model: 'vllm/embed', input: 'x', user: 'u-7', encoding_format: 'float' });
    expect(vllm.requests.at(-1)!.json()).toMatchObject({ model: 'embed', input: ['x'], user: 'u-7' });
    const calls = ollama.requests.length;
    const refused = await client.embeddings
      .create({ model: 'local/nomic-embed-text', input: 'x', user: 'u-7' })
      .catch((error) => error);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ param: 'user' });
    expect(refused.error.message).toContain('provider "local" (ollama)');
    expect(ollama.requests.length).toBe(calls);
  });
});
