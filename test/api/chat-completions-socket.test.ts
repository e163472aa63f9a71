import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp } from '../helpers/services.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

describe('POST /v1/chat/completions over a real socket', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let url: string;
  const upstreamClosed: string[] = [];

  beforeAll(async () => {
    upstream = await startWireServer(async (request, response) => {
      const content = request.json<{ messages: Array<{ content: string }> }>().messages.at(-1)?.content ?? '';
      response.on('close', () => {
        if (!response.writableEnded) upstreamClosed.push(content);
      });
      // Long enough for the request's body to be read before the answer: a call aborted on the request's
      // 'close' event never gets its answer.
      await new Promise((resolve) => setTimeout(resolve, content === 'slow' ? 5_000 : 50));
      if (response.destroyed) return;
      sendJson(response, 200, { id: 'x', object: 'chat.completion', created: 1, model: 'qwen', choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${content}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    });
    ({ app, close } = await buildTestApp({ providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1`, apiKey: 'none' } }, models: { default: 'vllm/qwen' } }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  const post = (content: string, signal?: AbortSignal) =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'vllm/qwen', messages: [{ role: 'user', content }] }), ...(signal ? { signal } : {}) });

  it('answers a completion whose provider takes a moment', async () => {
    const response = await post('hello');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('echo: hello');
  });

  it('cancels the provider call when the client hangs up', async () => {
    const controller = new AbortController();
    const pending = post('slow', controller.signal).catch((error: unknown) => error);
    const deadline = Date.now() + 3_000;
    while (!upstream.requests.some((request) => request.body.includes('"slow"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await pending;
    while (!upstreamClosed.includes('slow') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstreamClosed).toContain('slow');
  });
});
