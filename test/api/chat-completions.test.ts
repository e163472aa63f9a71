import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auth, buildTestApp } from '../helpers/services.js';
import { sendJson, sendSse, startWireServer, type WireServer } from '../helpers/wire-server.js';

describe('POST /v1/chat/completions', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    upstream = await startWireServer((request, response) => {
      const body = request.json<{ stream?: boolean; messages: Array<{ content: string }> }>();
      const echo = `echo: ${body.messages.at(-1)?.content}`;
      if (!body.stream) {
        sendJson(response, 200, {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'qwen',
          choices: [{ index: 0, message: { role: 'assistant', content: echo }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 17, completion_tokens: 4, total_tokens: 21 },
        });
        return;
      }
      const chunk = (delta: object, finish: string | null) => ({
        id: 'x',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'qwen',
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      sendSse(response, [
        { data: chunk({ content: 'echo: ' }, null) },
        { data: chunk({ content: 'streamed' }, 'stop') },
        {
          data: {
            id: 'x',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'qwen',
            choices: [],
            usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
          },
        },
        { data: '[DONE]' },
      ]);
    });
    ({ app, close } = await buildTestApp({
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1`, limits: { tpm: 100000, concurrency: 4 } } },
      pricing: { 'vllm/qwen': { input: 1, output: 2 } },
      models: { default: 'vllm/qwen' },
      budget: { totalUsd: 5 },
    }));
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  it('answers an OpenAI-shaped completion through the gateway, with exact usage', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'vllm/qwen', messages: [{ role: 'user', content: 'hi there' }], max_tokens: 20 },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'vllm/qwen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo: hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 17, completion_tokens: 4, total_tokens: 21 },
    });
    expect(body.agentd.costUsd).toBeCloseTo((17 * 1 + 4 * 2) / 1e6, 12);
    // The provider received its own model id and the cap we set.
    expect(upstream.requests.at(-1)!.json()).toMatchObject({ model: 'qwen', max_tokens: 20 });
  });

  it('streams server-sent events ending with a usage chunk (asked for with include_usage) and [DONE]', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: {
        model: 'vllm/qwen',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = response.body
      .split('\n\n')
      .filter(Boolean)
      .map((line) => line.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (event) =>
        JSON.parse(event) as {
          choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
          usage?: unknown;
        },
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('echo: streamed');
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });

  it('rejects an unknown provider with a 400 naming it, and malformed bodies with a 400', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'nope/gpt', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ param: 'model' });
    expect(unknown.json().error.message).toContain('unknown provider "nope"');
    const unnamed = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(unnamed.json().error).toMatchObject({
      param: 'model',
      message: 'model "gpt-4o-mini" must be named "provider/model" (GET /v1/models lists them)',
    });
    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'vllm/qwen', messages: [] },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toContain('messages: expected at least one message');
  });

  it('refuses a call whose worst case would cross the total budget with a 402', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'vllm/qwen', max_tokens: 5_000_000, messages: [{ role: 'user', content: 'x' }] },
    });
    expect(response.statusCode).toBe(402);
    expect(response.json().error.code).toBe('AGENTD_ERR_BUDGET');
  });

  it('reports limiter state and the use of the last minute in /v1/providers, and spend in /v1/usage', async () => {
    const providers = (await app.inject({ url: '/v1/providers', headers: auth })).json();
    expect(providers.providers[0]).toMatchObject({
      name: 'vllm',
      type: 'openai',
      limits: { tpm: 100000, concurrency: 4, rpm: null },
      inFlight: 0,
      queued: 0,
      // The two calls above, within the last minute.
      used: { requests: 2, tokens: 32 },
      models: { default: 'vllm/qwen' },
    });
    const usage = (await app.inject({ url: '/v1/usage', headers: auth })).json();
    expect(usage).toMatchObject({
      calls: 2,
      promptTokens: 26,
      completionTokens: 6,
      byModel: { 'vllm/qwen': { calls: 2 } },
      byProvider: { vllm: { calls: 2 } },
    });
  });
});
