import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, TEST_TOKEN } from '../helpers/services.js';

describe('JSON request bodies, over a real socket', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ app, close } = await buildTestApp({
      providers: { llm: { type: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-unused-key' } },
      models: { default: 'llm/m' },
      server: { token: TEST_TOKEN },
    }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => close());

  const post = (route: string, body?: string) =>
    fetch(`${base}${route}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });

  it('takes a body-less POST labelled application/json as a request without a body', async () => {
    const answer = await post('/v1/runs/no-such-run/cancel');
    expect(answer.status).toBe(404);
    expect((await answer.json()).error.code).toBe('AGENTD_ERR_NOT_FOUND');
  });

  it("answers a form's content type (curl -d) with a 415 that says which one the API takes", async () => {
    const answer = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"model":"llm/m","messages":[]}',
    });
    expect(answer.status).toBe(415);
    expect((await answer.json()).error.message).toContain('send the body as JSON with content-type: application/json');
  });

  it('still refuses a missing body where the route needs one, and malformed or poisoned JSON, in the error shape', async () => {
    for (const body of [undefined, '{"topic": ', '{"__proto__": {"polluted": true}, "topic": "x"}']) {
      const answer = await post('/v1/runs', body);
      expect(answer.status).toBe(400);
      expect((await answer.json()).error).toMatchObject({ type: 'invalid_request_error', code: expect.any(String) });
    }
  });

  it('names the first bad field in param, as OpenAI clients show it', async () => {
    const chat = await post('/v1/chat/completions', JSON.stringify({ model: 'llm/m' }));
    expect(chat.status).toBe(400);
    expect((await chat.json()).error).toMatchObject({
      param: 'messages',
      message: expect.stringContaining('messages:'),
    });
    const embeddings = await post('/v1/embeddings', JSON.stringify({ model: 'llm/m', input: [1, 2, 3] }));
    expect(embeddings.status).toBe(400);
    expect((await embeddings.json()).error).toMatchObject({
      param: 'input',
      message: expect.stringContaining('token arrays are not supported: send the text'),
    });
  });
});
