import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider } from '../../providers/ollama.js';
import { AbortError, ProviderError } from '../../src/errors.js';
import { sendJson, sendNdjson, startWireServer, type WireHandler, type WireServer } from '../helpers/wire-server.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAnswering(handler: WireHandler, timeoutMs?: number) {
  server = await startWireServer(handler);
  return createOllamaProvider({ name: 'local', baseURL: server.url, timeoutMs });
}

const request = {
  model: 'llama3.1',
  messages: [{ role: 'user' as const, content: 'Hi' }],
  maxOutputTokens: 32,
  temperature: 0.1,
  responseFormat: 'json' as const,
};
const done = {
  model: 'llama3.1',
  created_at: '2026-11-29T00:00:00Z',
  message: { role: 'assistant', content: '' },
  done: true,
  done_reason: 'stop',
  total_duration: 1,
  load_duration: 1,
  prompt_eval_count: 11,
  prompt_eval_duration: 1,
  eval_count: 5,
  eval_duration: 1,
};

describe('the Ollama provider', () => {
  it('answers a stream: false request and maps options', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(
        response,
        200,
        { ...done, message: { role: 'assistant', content: '{"ok":true}' } },
        { 'x-served-by': 'gpu0' },
      ),
    );
    const result = await provider.chat(request);
    expect(result).toMatchObject({
      choices: [{ text: '{"ok":true}', toolCalls: [], finishReason: 'stop' }],
      usage: { inputTokens: 11, outputTokens: 5 },
      model: 'llama3.1',
    });
    expect(result.headers['x-served-by']).toBe('gpu0');
    expect(server!.requests[0]!.url).toBe('/api/chat');
    expect(server!.requests[0]!.json()).toMatchObject({
      model: 'llama3.1',
      stream: false,
      format: 'json',
      options: { num_predict: 32, temperature: 0.1 },
    });
  });

  it('streams NDJSON and takes usage from the final line', async () => {
    const piece = (content: string) => ({
      model: 'llama3.1',
      created_at: '2026-11-29T00:00:00Z',
      message: { role: 'assistant', content },
      done: false,
    });
    const provider = await providerAnswering((_request, response) =>
      sendNdjson(response, [piece('Hal'), piece('lo'), { ...done, done_reason: 'length' }]),
    );
    const stream = await provider.stream(request);
    const parts = [];
    for await (const part of stream.parts) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', choice: 0, text: 'Hal' },
      { type: 'text-delta', choice: 0, text: 'lo' },
      { type: 'choice-finish', choice: 0, finishReason: 'length' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 11, outputTokens: 5 }, model: 'llama3.1' },
    ]);
  });

  it.each([
    [503, 'server busy, please try again. maximum pending requests exceeded', 'overloaded', true],
    [404, 'model "nope" not found, try pulling it first', 'not-found', false],
    [500, 'llama runner process has terminated', 'server', true],
    [400, 'invalid options: num_predict must be an integer', 'bad-request', false],
  ])('classifies HTTP %i as %s', async (status, message, kind, retryable) => {
    const provider = await providerAnswering((_request, response) => sendJson(response, status, { error: message }));
    const error = (await provider.chat(request).catch((caught: unknown) => caught)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(message);
  });

  it.each([
    [401, { error: { message: 'invalid api key' } }, 'auth', 'invalid api key'],
    [500, { error: { type: 'upstream', detail: 'gpu lost' } }, 'server', '{"type":"upstream","detail":"gpu lost"}'],
    [502, { message: 'no error field' }, 'server', 'Error 502'],
  ])(
    'reads an HTTP %i whose error is not a string (a proxy in front of Ollama) as a provider error',
    async (status, body, kind, text) => {
      const provider = await providerAnswering((_request, response) => sendJson(response, status, body));
      const error = (await provider.chat(request).catch((caught: unknown) => caught)) as ProviderError;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.kind).toBe(kind);
      expect(error.message).toContain(text);
    },
  );

  it('reports a server that is not running, a timeout and a cancellation', async () => {
    const down = createOllamaProvider({ name: 'local', baseURL: 'http://127.0.0.1:9' });
    expect(((await down.chat(request).catch((caught: unknown) => caught)) as ProviderError).kind).toBe('connection');
    const slow = await providerAnswering(() => new Promise(() => {}), 200);
    expect(((await slow.chat(request).catch((caught: unknown) => caught)) as ProviderError).kind).toBe('timeout');
    const controller = new AbortController();
    const call = slow.chat(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toBeInstanceOf(AbortError);
  });

  it('lists the pulled models from /api/tags, and a server that is down as a connection error', async () => {
    const model = (name: string) => ({
      name,
      model: name,
      modified_at: '2026-11-29T00:00:00Z',
      size: 1,
      digest: 'd',
      details: {},
    });
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, 200, { models: [model('llama3.1:latest'), model('nomic-embed-text:latest')] }),
    );
    expect(await provider.listModels!()).toEqual(['llama3.1:latest', 'nomic-embed-text:latest']);
    expect(server!.requests[0]!.url).toBe('/api/tags');
    const down = createOllamaProvider({ name: 'local', baseURL: 'http://127.0.0.1:9' });
    expect(((await down.listModels!().catch((caught: unknown) => caught)) as ProviderError).kind).toBe('connection');
  });
});
