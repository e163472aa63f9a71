import type { ServerResponse } from 'node:http';
import type OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import { buildTestApp } from '../helpers/services.js';
import { listeningOpenAIClient } from '../helpers/sdk-client.js';
import { anthropicMessage, anthropicStream, anthropicTextBlock } from '../helpers/wire-answers.js';
import {
  type RecordedRequest,
  sendJson,
  sendNdjson,
  sendSse,
  startWireServer,
  type WireServer,
} from '../helpers/wire-server.js';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const Person = z.object({ name: z.string(), age: z.number() });

interface AnthropicBody {
  stream?: boolean;
  tools?: Array<{ name: string }>;
  system?: unknown;
}

/** Anthropic's usage when the prompt hit its cache: 10 uncached tokens, 100 written to the cache, 1,000 read. */
const CACHED_USAGE = {
  input_tokens: 10,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 1_000,
  output_tokens: 5,
};

/**
 * Anthropic's Messages API as it answers a tool: a text block, then `tool_use` blocks, streamed as
 * `input_json_delta` pieces of the arguments. The tool is the one the request offers (`get_weather`, or the
 * forced schema tool `person`, called twice: only the first call is the answer).
 */
function anthropicAnswer(request: RecordedRequest, response: ServerResponse): void {
  const body = request.json<AnthropicBody>();
  if (Array.isArray(body.system)) {
    // Instructions as blocks: the client set a cache breakpoint, and the prompt hit the cache.
    const message = anthropicMessage([{ type: 'text', text: 'From the manual.' }], { model: 'claude-sonnet-4-6' });
    sendJson(response, 200, { ...message, usage: CACHED_USAGE });
    return;
  }
  const tool = body.tools?.[0]?.name ?? 'none';
  const input = tool === 'person' ? { name: 'Ada', age: 36 } : { city: 'Oslo' };
  const counts = { model: 'claude-sonnet-4-6', inputTokens: 40, outputTokens: 12, stopReason: 'tool_use' };
  const second = { name: 'Bob', age: 1 };
  if (!body.stream) {
    sendJson(
      response,
      200,
      anthropicMessage(
        [
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'toolu_1', name: tool, input },
          ...(tool === 'person' ? [{ type: 'tool_use', id: 'toolu_9', name: tool, input: second }] : []),
        ],
        counts,
      ),
    );
    return;
  }
  const toolBlock = (index: number, id: string, json: string) => {
    const cut = Math.floor(json.length / 2);
    return [
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: tool, input: {} } },
      },
      ...[json.slice(0, cut), json.slice(cut)].map((partial) => ({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } },
      })),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index } },
    ];
  };
  sendSse(
    response,
    anthropicStream(
      [
        ...anthropicTextBlock(0, ['Looking.']),
        ...toolBlock(1, 'toolu_2', JSON.stringify(input)),
        ...(tool === 'person' ? toolBlock(2, 'toolu_3', JSON.stringify(second)) : []),
      ],
      counts,
    ),
  );
}

interface OllamaBody {
  stream?: boolean;
  tools?: unknown[];
  logprobs?: boolean;
}

/** Ollama's /api/chat answering a tool (each call whole, arguments as an object, no id) or with logprobs. */
function ollamaAnswer(request: RecordedRequest, response: ServerResponse): void {
  const body = request.json<OllamaBody>();
  const message = body.tools
    ? {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }],
      }
    : { role: 'assistant', content: 'Hi' };
  const logprobs = body.logprobs
    ? { logprobs: [{ token: 'Hi', logprob: -0.25, top_logprobs: [{ token: 'Hi', logprob: -0.25 }] }] }
    : {};
  const done = {
    model: 'llama3.1',
    created_at: '2026-12-07T00:00:00Z',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 9,
    eval_count: 4,
  };
  if (!body.stream) {
    sendJson(response, 200, { ...done, message, ...logprobs });
    return;
  }
  sendNdjson(response, [
    { model: 'llama3.1', created_at: '2026-12-07T00:00:00Z', message, done: false, ...logprobs },
    { ...done, message: { role: 'assistant', content: '' } },
  ]);
}

/** The openai SDK reading Anthropic's and Ollama's own answers, translated by agentd, over a real socket. */
describe("the openai SDK reads Anthropic's and Ollama's answers through agentd", () => {
  let anthropic: WireServer;
  let ollama: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let client: OpenAI;

  beforeAll(async () => {
    anthropic = await startWireServer(anthropicAnswer);
    ollama = await startWireServer(ollamaAnswer);
    ({ app, services, close } = await buildTestApp({
      providers: {
        claude: { type: 'anthropic', baseURL: anthropic.url, apiKey: 'ak-test-0123456789' },
        // The same server under tight limits, for the cache test: 10 tokens a second refill too slowly to blur them.
        cached: { type: 'anthropic', baseURL: anthropic.url, apiKey: 'ak-test-0123456789', limits: { tpm: 600 } },
        local: { type: 'ollama', baseURL: ollama.url },
      },
      pricing: {
        'claude/claude-sonnet-4-6': { input: 3, output: 15 },
        'cached/claude-sonnet-4-6': { input: 3, output: 15 },
      },
      models: { default: 'claude/claude-sonnet-4-6' },
    }));
    client = await listeningOpenAIClient(app);
  });
  afterAll(async () => {
    await close();
    await Promise.all([anthropic.close(), ollama.close()]);
  });

  const messages = [{ role: 'user' as const, content: 'Weather in Oslo?' }];

  it("turns Anthropic's tool_use into tool_calls, with the exact usage and cost in the ledger", async () => {
    const before = services.gateway.ledger.totals().total;
    const completion = await client.chat.completions.create({
      model: 'claude/claude-sonnet-4-6',
      messages,
      tools: [weatherTool],
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Looking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12 });
    const after = services.gateway.ledger.totals().total;
    expect(after.promptTokens - before.promptTokens).toBe(40);
    expect(after.completionTokens - before.completionTokens).toBe(12);
    expect(after.costUsd - before.costUsd).toBeCloseTo((40 * 3 + 12 * 15) / 1e6, 12);
  });

  it("streams Anthropic's input_json_delta pieces as tool call argument deltas the SDK's .stream() assembles", async () => {
    const before = services.gateway.ledger.totals().total;
    const stream = client.chat.completions.stream({
      model: 'claude/claude-sonnet-4-6',
      messages,
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Looking.',
        tool_calls: [
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
    });
    expect(final.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12 });
    // message_start's input tokens and message_delta's cumulative output tokens, counted once.
    const after = services.gateway.ledger.totals().total;
    expect(after.promptTokens - before.promptTokens).toBe(40);
    expect(after.completionTokens - before.completionTokens).toBe(12);
  });

  it('parses a zod response_format from Anthropic through the forced schema tool, whole and streamed: its first call alone, without the text beside it', async () => {
    const format = zodResponseFormat(Person, 'person');
    const parsed = await client.chat.completions.parse({
      model: 'claude/claude-sonnet-4-6',
      messages,
      response_format: format,
    });
    expect(parsed.choices[0]!.message.parsed).toEqual({ name: 'Ada', age: 36 });
    expect(parsed.choices[0]!.finish_reason).toBe('stop');
    expect(anthropic.requests.at(-1)!.json()).toMatchObject({
      tool_choice: { type: 'tool', name: 'person', disable_parallel_tool_use: true },
    });
    const streamed = await client.chat.completions
      .stream({ model: 'claude/claude-sonnet-4-6', messages, response_format: format })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.parsed).toEqual({ name: 'Ada', age: 36 });
  });

  it("gives Ollama's tool calls the ids OpenAI clients answer them by, whole and streamed", async () => {
    const completion = await client.chat.completions.create({
      model: 'local/llama3.1',
      messages,
      tools: [weatherTool],
    });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } });
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const before = services.gateway.ledger.totals().total;
    const streamed = await client.chat.completions
      .stream({ model: 'local/llama3.1', messages, tools: [weatherTool] })
      .finalChatCompletion();
    // The final line's counts, for a stream the client asked no usage of.
    const after = services.gateway.ledger.totals().total;
    expect([after.promptTokens - before.promptTokens, after.completionTokens - before.completionTokens]).toEqual([
      9, 4,
    ]);
    expect(streamed.choices[0]!.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
      },
    ]);
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    // The tool-result turn names the tool for Ollama, found from the call's id.
    await client.chat.completions.create({
      model: 'local/llama3.1',
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'snow' },
      ],
    });
    expect(ollama.requests.at(-1)!.json<{ messages: unknown[] }>().messages.at(-1)).toEqual({
      role: 'tool',
      content: 'snow',
      tool_name: 'get_weather',
    });
  });

  it("gives Ollama's log probabilities in OpenAI's shape, whole and streamed", async () => {
    const completion = await client.chat.completions.create({
      model: 'local/llama3.1',
      messages,
      logprobs: true,
      top_logprobs: 1,
    });
    expect(completion.choices[0]!.logprobs?.content?.[0]).toMatchObject({
      token: 'Hi',
      logprob: -0.25,
      top_logprobs: [{ token: 'Hi', logprob: -0.25 }],
    });
    expect(ollama.requests.at(-1)!.json()).toMatchObject({ logprobs: true, top_logprobs: 1 });
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({
      model: 'local/llama3.1',
      messages,
      logprobs: true,
      stream: true,
    }))
      chunks.push(chunk);
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.content ?? [])).toEqual([
      expect.objectContaining({ token: 'Hi', logprob: -0.25 }),
    ]);
  });

  it("counts Anthropic's cached prompt tokens, prices them as Anthropic bills them, and shows the reads as cached_tokens", async () => {
    const before = services.gateway.ledger.totals().total;
    const completion = await client.chat.completions.create({
      model: 'cached/claude-sonnet-4-6',
      messages: [
        // OpenRouter's way of setting a cache breakpoint in OpenAI's format, which agentd passes on.
        {
          role: 'system',
          content: [{ type: 'text', text: 'A long manual.', cache_control: { type: 'ephemeral' } } as never],
        },
        { role: 'user', content: 'What does it say?' },
      ],
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 1_110,
      completion_tokens: 5,
      total_tokens: 1_115,
      prompt_tokens_details: { cached_tokens: 1_000 },
    });
    const after = services.gateway.ledger.totals().total;
    expect(after.promptTokens - before.promptTokens).toBe(1_110);
    // At $3 and $15 per million: 10 tokens at the input price, 100 written at 1.25 times it, 1,000 read at 0.1.
    expect(after.costUsd - before.costUsd).toBeCloseTo(((10 + 125 + 100) * 3 + 5 * 15) / 1e6, 12);
    // The limiter charges what Anthropic's limits count, the uncached and written tokens and the output (115):
    // its bucket of 30 is 85 in debt, not the 1,085 that charging the reads too would leave.
    const answer = await fetch(`${client.baseURL}/providers`, {
      headers: { authorization: `Bearer ${client.apiKey}` },
    });
    const { providers } = (await answer.json()) as { providers: Array<{ name: string; tokensAvailable: number }> };
    const available = providers.find((provider) => provider.name === 'cached')!.tokensAvailable;
    expect(available).toBeGreaterThan(-100);
    expect(available).toBeLessThan(-70);
  });
});
