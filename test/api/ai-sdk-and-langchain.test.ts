import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, TEST_TOKEN } from '../helpers/services.js';
import { PERSON, startOpenAIUpstream } from '../helpers/openai-upstream.js';
import type { WireServer } from '../helpers/wire-server.js';

const Person = z.object({ name: z.string(), born: z.number() });

/** The Vercel AI SDK and LangChain against the daemon on a real socket, backed by a local OpenAI-compatible server. */
describe('third-party clients against agentd', () => {
  let upstream: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let baseURL: string;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    ({ app, close } = await buildTestApp({
      providers: { vllm: { type: 'openai', baseURL: `${upstream.url}/v1` } },
      models: { default: 'vllm/qwen' },
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await close();
    await upstream.close();
  });

  describe('the AI SDK with @ai-sdk/openai-compatible', () => {
    const model = () =>
      createOpenAICompatible({
        name: 'agentd',
        baseURL,
        apiKey: TEST_TOKEN,
        supportsStructuredOutputs: true,
        includeUsage: true,
      })('vllm/qwen');
    const weather = tool({
      description: 'The weather in a city',
      inputSchema: jsonSchema<{ city: string }>({
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      }),
      execute: async ({ city }) => `sunny in ${city}`,
    });

    it('generates text and streams it, with usage', async () => {
      const generated = await generateText({ model: model(), prompt: 'hi', maxRetries: 0 });
      expect(generated.text).toBe('echo: hi');
      expect(generated.usage.inputTokens).toBe(11);
      const streamed = streamText({ model: model(), prompt: 'there', maxRetries: 0 });
      let text = '';
      for await (const delta of streamed.textStream) text += delta;
      expect(text).toBe('echo: there');
      expect((await streamed.usage).outputTokens).toBe(7);
    });

    it('generates an object', async () => {
      const { object } = await generateObject({ model: model(), schema: Person, prompt: 'who?', maxRetries: 0 });
      expect(object).toEqual(PERSON);
    });

    it('runs a tool and answers with its result', async () => {
      const { steps, text } = await generateText({
        model: model(),
        prompt: 'Weather in Paris?',
        tools: { get_weather: weather },
        stopWhen: ({ steps }) => steps.length >= 2,
        maxRetries: 0,
      });
      expect(steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris' } });
      expect(text).toBe('echo: sunny in Paris');
    });
  });

  describe('LangChain with @langchain/openai', () => {
    const chat = () =>
      new ChatOpenAI({ model: 'vllm/qwen', apiKey: TEST_TOKEN, configuration: { baseURL }, maxRetries: 0 });

    it('invokes and streams', async () => {
      expect((await chat().invoke('hello')).content).toBe('echo: hello');
      let text = '';
      for await (const chunk of await chat().stream('again')) text += String(chunk.content);
      expect(text).toBe('echo: again');
    });

    it('binds tools', async () => {
      const weather = langchainTool(async ({ city }: { city: string }) => `sunny in ${city}`, {
        name: 'get_weather',
        description: 'The weather in a city',
        schema: z.object({ city: z.string() }),
      });
      const answer = await chat().bindTools([weather]).invoke('Weather in Paris?');
      expect(answer.tool_calls?.[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
    });

    it('returns structured output', async () => {
      expect(await chat().withStructuredOutput(Person, { name: 'person' }).invoke('who?')).toEqual(PERSON);
    });
  });
});
