import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import { buildTestApp } from '../helpers/services.js';
import { listeningOpenAIClient } from '../helpers/sdk-client.js';
import { PERSON, startOpenAIUpstream } from '../helpers/openai-upstream.js';
import type { WireServer } from '../helpers/wire-server.js';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The official openai SDK against the daemon on a real socket, backed by a local OpenAI-compatible server. */
describe('the openai SDK against agentd', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    ({ app, services, close } = await buildTestApp({
      providers: {
        vllm: { type: 'openai', baseURL: `${upstream.url}/v1` },
        local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' },
      },
      pricing: { 'vllm/qwen': { input: 1, output: 2, cachedInput: 0.25 } },
      models: { default: 'vllm/qwen' },
    }));
    client = await listeningOpenAIClient(app);
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  const lastUpstream = () => upstream.requests.at(-1)!.json<Record<string, unknown>>();

  it('creates a completion, sends no max_tokens the client did not set, and records the exact usage and cost (cached prompt tokens at their price)', async () => {
    const before = services.gateway.ledger.totals().total;
    const { data, response } = await client.chat.completions
      .create({
        model: 'vllm/qwen',
        messages: [{ role: 'user', content: 'hello' }],
        seed: 7,
        top_p: 0.9,
        user: 'u1',
        logit_bias: { '50256': -100 },
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('echo: hello');
    // The provider's own fields and usage details come through as it sent them.
    expect(data).toMatchObject({ system_fingerprint: 'fp_up', service_tier: 'default' });
    expect(data.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
    expect(Number(response.headers.get('x-agentd-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect(Number(response.headers.get('x-agentd-queue-ms'))).toBeLessThan(1000);
    const sent = lastUpstream();
    expect(sent).not.toHaveProperty('max_tokens');
    expect(sent).toMatchObject({ model: 'qwen', seed: 7, top_p: 0.9, user: 'u1', logit_bias: { '50256': -100 } });
    const after = services.gateway.ledger.totals().total;
    expect(after.promptTokens - before.promptTokens).toBe(11);
    // 7 prompt tokens at the input price, the 4 read from the provider's cache at the cached price.
    expect(after.costUsd - before.costUsd).toBeCloseTo((7 * 1 + 4 * 0.25 + 7 * 2) / 1e6, 12);
  });

  it("streams without a usage chunk unless include_usage asks for one, records the usage either way, and passes on the provider's chunk fields", async () => {
    const before = services.gateway.ledger.totals().total;
    const plain = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'abc' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of plain) chunks.push(chunk);
    // The common `chunk.choices[0].delta` loop must never meet an empty choices array.
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]!.delta.content ?? '').join('')).toBe('echo: abc');
    // The usage is always asked for upstream: the ledger needs it whatever the client asked for.
    const between = services.gateway.ledger.totals().total;
    expect([between.calls - before.calls, between.promptTokens - before.promptTokens]).toEqual([1, 11]);
    expect(between.completionTokens - before.completionTokens).toBe(7);
    expect(between.costUsd - before.costUsd).toBeCloseTo((7 * 1 + 4 * 0.25 + 7 * 2) / 1e6, 12);
    const withUsage = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'abc' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const all = [];
    for await (const chunk of withUsage) all.push(chunk);
    // The provider's own fields on every chunk, as OpenAI sends them, but not its per-chunk padding.
    for (const chunk of all) {
      expect(chunk).toMatchObject({ system_fingerprint: 'fp_up', service_tier: 'default' });
      expect(chunk).not.toHaveProperty('obfuscation');
    }
    expect(all.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 11,
        completion_tokens: 7,
        total_tokens: 18,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    });
  });

  it('works with the .stream() helper and n choices', async () => {
    const runner = client.chat.completions.stream({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'streamed' }],
      n: 2,
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices.map((choice) => choice.message.content)).toEqual(['echo: streamed', 'echo: streamed']);
    const plain = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'two' }],
      n: 2,
    });
    expect(plain.choices).toHaveLength(2);
  });

  it('parses a zod response format', async () => {
    const Person = z.object({ name: z.string(), born: z.number() });
    const completion = await client.chat.completions.parse({
      model: 'vllm/qwen',
      messages: [{ role: 'user', content: 'who?' }],
      response_format: zodResponseFormat(Person, 'person'),
    });
    expect(completion.choices[0]!.message.parsed).toEqual(PERSON);
    expect(lastUpstream()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true } },
    });
  });

  it('runs a tool call and its tool-result turn, streamed and not', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({
      model: 'vllm/qwen',
      messages,
      tools: [weatherTool],
      tool_choice: 'auto',
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
    expect(call).toMatchObject({
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' });
    const second = await client.chat.completions.create({ model: 'vllm/qwen', messages, tools: [weatherTool] });
    expect(second.choices[0]!.message.content).toBe('echo: sunny, 21 C');
    expect(lastUpstream().messages).toMatchObject([
      { role: 'user' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1' }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21 C' },
    ]);
    const streamed = await client.chat.completions
      .stream({ model: 'vllm/qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.tool_calls![0]).toMatchObject({
      id: 'call_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
  });

  it('lists models and embeds, through the ledger', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['vllm/qwen', 'vllm/embedder']));
    expect((await client.models.retrieve('vllm/qwen')).owned_by).toBe('vllm');
    await expect(client.models.retrieve('vllm/nothing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const calls = services.gateway.ledger.totals().total.calls;
    const embedded = await client.embeddings.create({ model: 'vllm/embedder', input: ['one', 'three'] });
    expect(embedded.data.map((item) => item.embedding)).toEqual([
      [3, 0.5, -1],
      [5, 0.5, -1],
    ]);
    expect(embedded.usage.prompt_tokens).toBe(6);
    expect(services.gateway.ledger.totals().total.calls).toBe(calls + 1);
  });

  it('raises typed errors whose param names what the provider refused', async () => {
    const error = await client.chat.completions
      .create({
        model: 'local/llama3.1',
        messages: [{ role: 'user', content: 'x' }],
        tools: [weatherTool],
        tool_choice: 'required',
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tool_choice');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('AGENTD_ERR_BAD_REQUEST');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('provider "local" (ollama)');
    const unauthorized = new OpenAI({ baseURL: client.baseURL, apiKey: 'wrong-token', maxRetries: 0 });
    await expect(unauthorized.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
