import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../providers/openai.js';
import { AbortError, ProviderError } from '../../src/errors.js';
import { registerSecrets } from '../../src/secrets.js';
import { sendJson, sendSse, startWireServer, type WireHandler, type WireServer } from '../helpers/wire-server.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAnswering(handler: WireHandler, options: { apiKey?: string; timeoutMs?: number } = {}) {
  server = await startWireServer(handler);
  return createOpenAIProvider({
    name: 'oa',
    baseURL: `${server.url}/v1`,
    apiKey: options.apiKey ?? 'sk-test-key-1234',
    timeoutMs: options.timeoutMs,
  });
}

const completion = {
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};
const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }], maxOutputTokens: 50 };

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('the OpenAI provider', () => {
  it('returns text, finish reason, usage and rate-limit headers from a JSON completion', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, 200, completion, {
        'x-ratelimit-remaining-tokens': '59000',
        'x-ratelimit-reset-tokens': '1.5s',
      }),
    );
    const result = await provider.chat({ ...request, temperature: 0.2, responseFormat: 'json', stop: ['END'] });
    expect(result).toMatchObject({
      choices: [{ text: 'Hello there', toolCalls: [], finishReason: 'stop' }],
      usage: { inputTokens: 12, outputTokens: 3 },
      model: 'gpt-4o-mini-2024-07-18',
    });
    expect(result.headers['x-ratelimit-remaining-tokens']).toBe('59000');
    const sent = server!.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test-key-1234');
    // A compatible server (custom baseURL) gets max_tokens, which every such server understands.
    expect(sent.json()).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 50,
      temperature: 0.2,
      stop: ['END'],
      response_format: { type: 'json_object' },
    });
  });

  it('streams SSE deltas and reads usage from the final chunk', async () => {
    const chunk = (delta: object, finish: string | null) => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const provider = await providerAnswering((_request, response) =>
      sendSse(
        response,
        [
          { data: chunk({ role: 'assistant', content: '' }, null) },
          { data: chunk({ content: 'Hel' }, null) },
          { data: chunk({ content: 'lo' }, null) },
          { data: chunk({}, 'length') },
          {
            data: {
              id: 'c',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'gpt-4o-mini',
              choices: [],
              usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
            },
          },
          { data: '[DONE]' },
        ],
        { 'x-ratelimit-limit-tokens': '60000' },
      ),
    );
    const stream = await provider.stream(request);
    expect(stream.headers['x-ratelimit-limit-tokens']).toBe('60000');
    const parts = [];
    for await (const part of stream.parts) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', choice: 0, text: 'Hel' },
      { type: 'text-delta', choice: 0, text: 'lo' },
      { type: 'choice-finish', choice: 0, finishReason: 'length' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 9, outputTokens: 2 }, model: 'gpt-4o-mini' },
    ]);
    expect(server!.requests[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('makes exactly one attempt per call: the gateway owns retries', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, 500, { error: { message: 'boom', type: 'server_error' } }),
    );
    const error = await failure(provider.chat(request));
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
    expect(server!.requests).toHaveLength(1);
  });

  it.each([
    [
      401,
      {
        error: {
          message: 'Incorrect API key provided: sk-test-key-1234',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
      'auth',
      false,
    ],
    [
      429,
      { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
      'quota',
      false,
    ],
    [
      429,
      {
        error: {
          message: 'Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 45000.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      },
      'too-large',
      false,
    ],
    [
      400,
      {
        error: {
          message: "This model's maximum context length is 128000 tokens",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
      'too-large',
      false,
    ],
    [
      404,
      { error: { message: 'The model `nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' } },
      'not-found',
      false,
    ],
    [503, { error: { message: 'The engine is currently overloaded', type: 'server_error' } }, 'overloaded', true],
    [
      400,
      { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error', code: 'invalid_value' } },
      'bad-request',
      false,
    ],
  ])('classifies HTTP %i (%o) as %s', async (status, body, kind, retryable) => {
    const provider = await providerAnswering((_request, response) => sendJson(response, status, body));
    const error = await failure(provider.chat(request));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
  });

  it('never repeats the API key that a provider quotes back in an error', async () => {
    registerSecrets('sk-test-key-1234');
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, 401, {
        error: {
          message: 'Incorrect API key provided: sk-test-key-1234',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    );
    const error = await failure(provider.chat(request));
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(error.message).not.toContain('sk-test-key-1234');
  });

  it('reads the retry hint of a 429 from retry-after-ms, retry-after and the message text', async () => {
    const answers: Array<[Record<string, string>, string, number]> = [
      [{ 'retry-after-ms': '250', 'retry-after': '9' }, 'Rate limit reached', 250],
      [{ 'retry-after': '2' }, 'Rate limit reached', 2000],
      [
        {},
        'Rate limit reached for gpt-4o on tokens per min (TPM): Limit 60000, Used 59000, Requested 2000. Please try again in 1.2s.',
        1200,
      ],
      [{}, 'Please try again in 20ms.', 20],
    ];
    for (const [headers, message, expected] of answers) {
      const provider = await providerAnswering((_request, response) =>
        sendJson(response, 429, { error: { message, type: 'tokens', code: 'rate_limit_exceeded' } }, headers),
      );
      const error = await failure(provider.chat(request));
      expect(error.kind).toBe('rate-limited');
      expect(error.retryAfterMs).toBe(expected);
      await server!.close();
      server = undefined;
    }
  });

  it('reports a connection failure and a timeout as retryable kinds', async () => {
    const refused = createOpenAIProvider({ name: 'oa', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k-123456789' });
    expect((await failure(refused.chat(request))).kind).toBe('connection');
    const slow = await providerAnswering(() => new Promise(() => {}), { timeoutMs: 200 });
    const error = await failure(slow.chat(request));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it('turns an aborted call into an AbortError', async () => {
    const provider = await providerAnswering(() => new Promise(() => {}));
    const controller = new AbortController();
    const call = provider.chat(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toBeInstanceOf(AbortError);
  });

  it('refuses to call the official API without a key, naming the environment variable', async () => {
    const provider = createOpenAIProvider({ name: 'openai', missingApiKeyEnv: 'OPENAI_API_KEY' });
    const error = await failure(provider.chat(request));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('set the environment variable OPENAI_API_KEY');
  });

  it('never calls a compatible server whose key names an unset environment variable, through the SDK or the pass-through', async () => {
    server = await startWireServer((_recorded, response) => sendJson(response, 200, {}));
    const provider = createOpenAIProvider({ name: 'vllm', baseURL: server.url, missingApiKeyEnv: 'VLLM_KEY' });
    for (const call of [provider.chat(request), provider.passThrough!.chat(request)]) {
      const error = await failure(call);
      expect(error.kind).toBe('auth');
      expect(error.message).toContain('set the environment variable VLLM_KEY');
    }
    expect(server.requests).toHaveLength(0);
  });

  it('sends max_completion_tokens and counts prompt + max_tokens against the limit on the official API', () => {
    const official = createOpenAIProvider({ name: 'openai', apiKey: 'sk-x-123456789' });
    expect(official.limitAccounting).toBe('prompt-plus-max-tokens');
    expect(official.builtInPricing).toBe(true);
    const compatible = createOpenAIProvider({ name: 'vllm', baseURL: 'http://127.0.0.1:8000/v1' });
    expect(compatible.limitAccounting).toBe('actual-usage');
    expect(compatible.builtInPricing).toBe(false);
  });

  it('lists its models by id through GET /models, and reports a refused key as an auth error', async () => {
    const provider = await providerAnswering((recorded, response) =>
      recorded.headers.authorization === 'Bearer sk-test-key-1234'
        ? sendJson(response, 200, {
            object: 'list',
            data: [
              { id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' },
              { id: 'text-embedding-3-small', object: 'model', created: 1, owned_by: 'openai' },
            ],
          })
        : sendJson(response, 401, { error: { message: 'bad key', type: 'invalid_request_error' } }),
    );
    expect(await provider.listModels!()).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    expect(server!.requests[0]!.url).toBe('/v1/models');
    const refused = createOpenAIProvider({ name: 'oa', baseURL: `${server!.url}/v1`, apiKey: 'sk-wrong-key-999' });
    expect((await failure(refused.listModels!())).kind).toBe('auth');
  });
});
