import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../providers/anthropic.js';
import { ProviderError } from '../../src/errors.js';
import { anthropicStream, anthropicTextBlock } from '../helpers/wire-answers.js';
import { sendJson, sendSse, startWireServer, type WireHandler, type WireServer } from '../helpers/wire-server.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAnswering(handler: WireHandler) {
  server = await startWireServer(handler);
  return createAnthropicProvider({ name: 'claude', baseURL: server.url, apiKey: 'ak-test-key-1234' });
}

const request = {
  model: 'claude-haiku-4-5',
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Hi' },
    { role: 'user' as const, content: 'Again' },
  ],
  maxOutputTokens: 64,
};

describe('the Anthropic provider', () => {
  it('sends system as its own parameter, merges consecutive turns, and reads usage and headers', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(
        response,
        200,
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-haiku-4-5-20251001',
          content: [{ type: 'text', text: 'Hello' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 21, output_tokens: 4 },
        },
        { 'anthropic-ratelimit-tokens-remaining': '39000', 'anthropic-ratelimit-tokens-reset': '2026-11-29T10:00:00Z' },
      ),
    );
    const result = await provider.chat({ ...request, responseFormat: 'json' });
    expect(result).toMatchObject({
      choices: [{ text: 'Hello', toolCalls: [], finishReason: 'stop' }],
      usage: { inputTokens: 21, outputTokens: 4 },
      model: 'claude-haiku-4-5-20251001',
    });
    expect(result.headers['anthropic-ratelimit-tokens-remaining']).toBe('39000');
    // JSON mode is emulated by an instruction, and says so; max_tokens was the client's, so no warning for it.
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'emulated', setting: 'response_format' })]);
    const sent = server!.requests[0]!;
    expect(sent.url).toBe('/v1/messages');
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key. Either carries the configured key.
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?ak-test-key-1234$/);
    const body = sent.json<{ system: string; messages: unknown[]; max_tokens: number }>();
    expect(body.system).toContain('Be brief.');
    expect(body.system).toContain('single JSON object');
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Again' },
        ],
      },
    ]);
    expect(body.max_tokens).toBe(64);
  });

  it('streams text deltas and takes usage from message_start and message_delta', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendSse(
        response,
        anthropicStream(anthropicTextBlock(0, ['Bon', 'jour']), {
          model: 'claude-haiku-4-5',
          inputTokens: 30,
          outputTokens: 7,
          stopReason: 'max_tokens',
        }),
      ),
    );
    const { maxOutputTokens: _clientCap, ...uncapped } = request;
    const stream = await provider.stream(uncapped);
    // Without the client's cap, the model's maximum is sent, as Anthropic requires one, and the stream says so.
    expect(stream.warnings).toEqual([expect.objectContaining({ type: 'defaulted', setting: 'max_tokens' })]);
    const parts = [];
    for await (const part of stream.parts) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', choice: 0, text: 'Bon' },
      { type: 'text-delta', choice: 0, text: 'jour' },
      { type: 'choice-finish', choice: 0, finishReason: 'length' },
      {
        type: 'finish',
        finishReason: 'length',
        usage: { inputTokens: 30, outputTokens: 7 },
        model: 'claude-haiku-4-5',
      },
    ]);
  });

  it.each([
    [529, 'overloaded_error', 'Overloaded', 'overloaded', true],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 'rate-limited', true],
    [401, 'authentication_error', 'invalid x-api-key', 'auth', false],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes', 'too-large', false],
    [500, 'api_error', 'Internal server error', 'server', true],
    [400, 'invalid_request_error', 'messages: roles must alternate', 'bad-request', false],
    [400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum', 'too-large', false],
  ])('classifies HTTP %i %s as %s', async (status, type, message, kind, retryable) => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, status, { type: 'error', error: { type, message } }, { 'retry-after': '3' }),
    );
    const error = (await provider.chat(request).catch((caught: unknown) => caught)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    if (retryable) expect(error.retryAfterMs).toBe(3000);
    expect(server!.requests).toHaveLength(1);
  });

  it('reports a server that is not there and one that does not answer in time', async () => {
    const down = createAnthropicProvider({ name: 'claude', baseURL: 'http://127.0.0.1:9', apiKey: 'ak-test-key-1234' });
    const refused = (await down.chat(request).catch((caught: unknown) => caught)) as ProviderError;
    expect(refused.kind).toBe('connection');
    // What went wrong underneath (here fetch's own refusal of port 9), not the SDK's "Connection error.".
    expect(refused.message).toBe('claude: cannot connect: bad port');
    server = await startWireServer(() => new Promise(() => {}));
    const slow = createAnthropicProvider({
      name: 'claude',
      baseURL: server.url,
      apiKey: 'ak-test-key-1234',
      timeoutMs: 200,
    });
    expect(((await slow.chat(request).catch((caught: unknown) => caught)) as ProviderError).kind).toBe('timeout');
  });

  it('lists its models through GET /v1/models, following the pages', async () => {
    const model = (id: string) => ({ id, type: 'model', display_name: id, created_at: '2026-01-01T00:00:00Z' });
    const provider = await providerAnswering((recorded, response) => {
      const after = new URL(recorded.url, 'http://x').searchParams.get('after_id');
      if (after === null)
        sendJson(response, 200, {
          data: [model('claude-sonnet-4-5')],
          has_more: true,
          first_id: 'claude-sonnet-4-5',
          last_id: 'claude-sonnet-4-5',
        });
      else
        sendJson(response, 200, {
          data: [model('claude-haiku-4-5')],
          has_more: false,
          first_id: 'claude-haiku-4-5',
          last_id: 'claude-haiku-4-5',
        });
    });
    expect(await provider.listModels!()).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5']);
    expect(server!.requests.map((recorded) => recorded.url.split('?')[0])).toEqual(['/v1/models', '/v1/models']);
    expect(server!.requests[0]!.headers['x-api-key'] ?? server!.requests[0]!.headers.authorization).toMatch(
      /^(Bearer )?ak-test-key-1234$/,
    );
  });

  it('streams the text of a json_schema answer only when the model did not call the forced schema tool', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendSse(
        response,
        anthropicStream(anthropicTextBlock(0, ['{"a":1}']), {
          model: 'claude-haiku-4-5',
          inputTokens: 5,
          outputTokens: 3,
          stopReason: 'end_turn',
        }),
      ),
    );
    const stream = await provider.stream({
      ...request,
      responseFormat: { type: 'json-schema', name: 'answer', schema: { type: 'object' } },
    });
    const texts = [];
    for await (const part of stream.parts) if (part.type === 'text-delta') texts.push(part.text);
    expect(texts).toEqual(['{"a":1}']);
  });

  it("counts a stream's cached prompt tokens from message_start, weighted for the cost as Anthropic bills them", async () => {
    const events = anthropicStream(anthropicTextBlock(0, ['Hi']), {
      model: 'claude-haiku-4-5',
      inputTokens: 10,
      outputTokens: 4,
      stopReason: 'end_turn',
    });
    const start = events[0]!.data as { message: { usage: Record<string, unknown> } };
    start.message.usage = {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 100 },
    };
    const provider = await providerAnswering((_request, response) => sendSse(response, events));
    const stream = await provider.stream(request);
    let usage: unknown;
    for await (const part of stream.parts) if (part.type === 'finish') usage = part.usage;
    // 100 written for five minutes at 1.25 times the input price, 100 for an hour at 2 times; the limits
    // count the writes.
    expect(usage).toEqual({
      inputTokens: 210,
      outputTokens: 4,
      billedInputTokens: 10 + 125 + 200,
      limitedInputTokens: 210,
      openAIDetails: { prompt_tokens_details: { cached_tokens: 0 } },
    });
  });
});
