import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../providers/openai.js';
import { AbortError, ProviderError } from '../../src/errors.js';
import { deadURL } from '../helpers/provider-listings.js';
import { sendJson, startWireServer, type WireHandler, type WireServer } from '../helpers/wire-server.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAnswering(
  handler: WireHandler,
  extra: Partial<Parameters<typeof createOpenAIProvider>[0]> = {},
) {
  server = await startWireServer(handler);
  return createOpenAIProvider({ name: 'oa', baseURL: `${server.url}/v1`, apiKey: 'sk-wire-1234', ...extra });
}

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };
const completion = {
  id: 'c',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'zipped' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The OpenAI provider's pass-through (the API's fast path, without the SDK), where it could differ from the SDK. */
describe("the OpenAI provider's pass-through", () => {
  it("sends the key, the organization, JSON and the SDK's user agent, with the config's headers over its own", async () => {
    const provider = await providerAnswering((_request, response) => sendJson(response, 200, completion), {
      extra: { organization: 'org-1' },
      headers: { 'X-Team': 'research', 'User-Agent': 'custom/1' },
    });
    await provider.passThrough!.chat(request);
    const sent = server!.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers).toMatchObject({
      authorization: 'Bearer sk-wire-1234',
      'openai-organization': 'org-1',
      'content-type': 'application/json',
      accept: 'application/json',
      'x-team': 'research',
      'user-agent': 'custom/1',
    });
    expect(sent.json()).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: false });
  });

  it("sends the client's own OpenAI options, with the call's kind over any stream setting among them", async () => {
    const provider = await providerAnswering((_request, response) => sendJson(response, 200, completion));
    const openAIOptions = { user: 'u-1', stream: true, stream_options: { include_usage: false } };
    await provider.passThrough!.chat({ ...request, openAIOptions });
    expect(server!.requests[0]!.json()).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      user: 'u-1',
      stream: false,
      stream_options: { include_usage: false },
    });
    expect(Object.keys(server!.requests[0]!.json() as object)).toEqual([
      'model',
      'messages',
      'user',
      'stream',
      'stream_options',
    ]);
  });

  it('follows a moved endpoint (308) that answers gzip, and reads an error body that is not JSON', async () => {
    const provider = await providerAnswering((incoming, response) => {
      if (incoming.url === '/v1/chat/completions') {
        response.writeHead(308, { location: '/v2/chat/completions' });
        return void response.end();
      }
      if (incoming.url === '/v2/chat/completions') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return void response.end(gzipSync(JSON.stringify(completion)));
      }
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<h1>bad gateway</h1>');
    });
    expect((await provider.passThrough!.chat(request)).choices[0]!.text).toBe('zipped');
    const error = await caught(provider.passThrough!.embed!({ model: 'e', input: ['x'] }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'server', status: 502, retryable: true });
    expect((error as Error).message).toContain('502 <h1>bad gateway</h1>');
  });

  it("ends a stream with the server's error event as a failed connection, after the deltas before it", async () => {
    const provider = await providerAnswering((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`${chunk('half')}data: {"error":{"message":"model crashed"}}\n\n`);
    });
    const stream = await provider.passThrough!.stream(request);
    const texts: string[] = [];
    const error = await caught(
      (async () => {
        for await (const part of stream.parts) if (part.type === 'text-delta') texts.push(part.text);
      })(),
    );
    expect(texts).toEqual(['half']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection' });
    expect((error as Error).message).toContain('model crashed');
  });

  it('streams the whole completion of a server that answers a stream request without streaming, usage included', async () => {
    const provider = await providerAnswering((_request, response) =>
      sendJson(response, 200, {
        ...completion,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'not streamed',
              tool_calls: [{ id: 't1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    );
    const stream = await provider.passThrough!.stream(request);
    const parts = [];
    for await (const part of stream.parts) parts.push(part);
    expect(parts).toEqual([
      { type: 'text-delta', choice: 0, text: 'not streamed' },
      { type: 'tool-call-delta', choice: 0, index: 0, id: 't1', name: 'lookup', argumentsDelta: '{"q":1}' },
      { type: 'choice-finish', choice: 0, finishReason: 'tool-calls' },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 3, outputTokens: 1 }, model: 'm' },
    ]);
  });

  it('turns a stream cancelled mid-way into an AbortError and closes the upstream connection', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const provider = await providerAnswering((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('first'));
      response.once('close', closed);
    });
    const controller = new AbortController();
    const stream = await provider.passThrough!.stream(request, { signal: controller.signal });
    const error = await caught(
      (async () => {
        for await (const part of stream.parts) if (part.type === 'text-delta') controller.abort();
      })(),
    );
    expect(error).toBeInstanceOf(AbortError);
    await upstreamClosed;
  });

  it('fails exactly as the SDK path does: the same kind, status, message and retry hint', async () => {
    const answers: Array<[number, string, Record<string, string>]> = [
      [
        401,
        JSON.stringify({
          error: { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' },
        }),
        {},
      ],
      [
        429,
        JSON.stringify({ error: { message: 'Rate limit reached', type: 'tokens', code: 'rate_limit_exceeded' } }),
        { 'retry-after-ms': '250' },
      ],
      [500, 'upstream exploded', {}],
      [404, '', {}],
      [400, JSON.stringify({ detail: 'not the OpenAI shape' }), {}],
    ];
    // One server for every answer: the answer is picked by the request's model.
    const provider = await providerAnswering((incoming, response) => {
      const [status, body, headers] = answers[Number(incoming.json<{ model: string }>().model)]!;
      response.writeHead(status, {
        'content-type': body.startsWith('{') ? 'application/json' : 'text/plain',
        ...headers,
      });
      response.end(body);
    });
    const shape = (error: unknown) => {
      const { kind, status, message, retryable, retryAfterMs } = error as ProviderError;
      return { kind, status, message, retryable, retryAfterMs };
    };
    for (const index of answers.keys()) {
      const asked = { ...request, model: String(index) };
      const viaSdk = await caught(provider.chat(asked));
      const viaPassThrough = await caught(provider.passThrough!.chat(asked));
      expect(viaPassThrough).toBeInstanceOf(ProviderError);
      expect(shape(viaPassThrough)).toEqual(shape(viaSdk));
    }
    // A server that cuts every connection (port 9 would be refused by fetch itself, as a "bad port").
    const nobody = await deadURL();
    const refused = createOpenAIProvider({ name: 'oa', baseURL: `${nobody}/v1`, apiKey: 'k-123456789' });
    const [sdkRefused, rawRefused] = [
      await caught(refused.chat(request)),
      await caught(refused.passThrough!.chat(request)),
    ];
    expect((rawRefused as ProviderError).kind).toBe('connection');
    expect((rawRefused as ProviderError).message).toBe((sdkRefused as ProviderError).message);
    // What the socket said, not the SDK's "Connection error.": the connection was made, then cut.
    expect((sdkRefused as ProviderError).message).toBe('oa: connection lost: other side closed');
  });
});
