import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openAIBody } from '../../providers/openai-wire.js';
import { CHAT_PARAMETERS, chatBodySchema, toGenerateRequest } from '../../src/server/openai/chat-request.js';
import { auth, buildTestApp } from '../helpers/services.js';
import { anthropicMessage, openAICompletion } from '../helpers/wire-answers.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

/** A value for each parameter that asks for something (not the default), so a provider must honour or refuse it. */
const SAMPLES: Record<string, unknown> = {
  stream: false,
  stream_options: { include_usage: true },
  max_tokens: 100,
  max_completion_tokens: 100,
  temperature: 0.5,
  top_p: 0.5,
  stop: ['END'],
  seed: 42,
  presence_penalty: 0.5,
  frequency_penalty: 0.5,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } },
  },
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
  tool_choice: { type: 'function', function: { name: 'lookup' } },
  parallel_tool_calls: false,
  n: 2,
  logprobs: true,
  top_logprobs: 2,
  logit_bias: { '50256': -100 },
  user: 'user-1',
  reasoning_effort: 'high',
  audio: { voice: 'alloy', format: 'mp3' },
  modalities: ['text', 'audio'],
  prediction: { type: 'content', content: 'draft' },
  metadata: { purpose: 'test' },
  store: true,
  service_tier: 'flex',
  prompt_cache_key: 'k',
  prompt_cache_retention: '24h',
  prompt_cache_options: { mode: 'explicit', ttl: '30m' },
  moderation: { model: 'omni-moderation-latest' },
  safety_identifier: 'hash',
  verbosity: 'low',
  web_search_options: {},
  functions: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }],
  function_call: 'auto',
};

/**
 * Parameters of newer openai-node releases than the one installed (which is the newest that runs on Node 20):
 * openai@7.59.0's `ChatCompletionCreateParamsBase` has these beside the 6.x list. Clients on Node 22 send them.
 */
const NEWER_SDK_PARAMETERS = ['moderation', 'prompt_cache_options'];

/**
 * Where `after` differs from `before`, by dotted path through objects (arrays compare whole), with the value
 * after: what a parameter changed in the provider's request.
 */
function changes(before: unknown, after: unknown, at = ''): Record<string, unknown> {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const found: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
      Object.assign(found, changes(before[key], after[key], at === '' ? key : `${at}.${key}`));
    return found;
  }
  return isDeepStrictEqual(before, after) ? {} : { [at]: after };
}

/** The keys of openai-node's ChatCompletionCreateParamsBase: OpenAI's complete list, from the SDK installed. */
function sdkParameters(): string[] {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('openai')), 'resources/chat/completions/completions.d.ts');
  const source = readFileSync(file, 'utf8');
  const start = source.indexOf('export interface ChatCompletionCreateParamsBase {');
  const body = source.slice(start, source.indexOf('\n}', start));
  return [...body.matchAll(/^ {4}([a-z_]+)\??:/gm)].map((match) => match[1]!);
}

describe('every OpenAI chat parameter is honoured or refused, for every provider type', () => {
  let openai: WireServer;
  let anthropic: WireServer;
  let ollama: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    openai = await startWireServer((_request, response) => sendJson(response, 200, openAICompletion()));
    anthropic = await startWireServer((_request, response) =>
      sendJson(
        response,
        200,
        anthropicMessage([{ type: 'tool_use', id: 'toolu_1', name: 'answer', input: { a: 'x' } }], {
          stopReason: 'tool_use',
        }),
      ),
    );
    ollama = await startWireServer((_request, response) =>
      sendJson(response, 200, {
        model: 'llama',
        created_at: '2026-11-29T00:00:00Z',
        message: { role: 'assistant', content: '{"a":"x"}' },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 1,
        eval_count: 1,
      }),
    );
    ({ app, close } = await buildTestApp({
      providers: {
        oa: { type: 'openai', baseURL: `${openai.url}/v1` },
        claude: { type: 'anthropic', baseURL: anthropic.url, apiKey: 'ak-test-0123456789' },
        local: { type: 'ollama', baseURL: ollama.url },
      },
      models: { default: 'oa/m' },
    }));
  });
  afterAll(async () => {
    await close();
    await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
  });

  it("knows every parameter of the SDK's ChatCompletionCreateParams and has a sample for each", () => {
    const parameters = [...sdkParameters(), ...NEWER_SDK_PARAMETERS];
    expect(parameters.length).toBeGreaterThan(30);
    expect(Object.keys(SAMPLES).sort()).toEqual(
      [...new Set(parameters)].filter((name) => name !== 'model' && name !== 'messages').sort(),
    );
    expect(parameters.filter((name) => !(name in CHAT_PARAMETERS))).toEqual([]);
    expect(
      Object.keys(CHAT_PARAMETERS).filter((name) => name !== 'model' && name !== 'messages' && !(name in SAMPLES)),
    ).toEqual([]);
  });

  const providers: Array<[string, string, () => WireServer]> = [
    ['oa/m', 'openai', () => openai],
    ['claude/claude-sonnet-4-6', 'anthropic', () => anthropic],
    ['local/llama', 'ollama', () => ollama],
  ];
  for (const [model, type, server] of providers) {
    it(`${type}: each parameter changes what the provider receives, or is a 400 naming it and the provider`, async () => {
      const outcomes: Record<string, unknown> = {};
      const send = async (payload: Record<string, unknown>) => {
        const response = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload });
        return { response, upstream: response.statusCode === 200 ? server().requests.at(-1)!.json() : undefined };
      };
      for (const [name, value] of Object.entries(SAMPLES)) {
        const without: Record<string, unknown> = { model, messages: [{ role: 'user', content: 'hi' }] };
        if (name === 'tool_choice' || name === 'parallel_tool_calls') without.tools = SAMPLES.tools;
        const baseline = await send(without);
        expect(baseline.response.statusCode, name).toBe(200);
        const { response, upstream } = await send({ ...without, [name]: value });
        if (response.statusCode === 400) {
          const error = response.json().error;
          expect(error.param, name).toBe(name);
          expect(error.message, name).toContain(`provider "${model.split('/')[0]}" (${type})`);
          outcomes[name] = 'refused';
          continue;
        }
        expect(response.statusCode, `${name}: ${response.body}`).toBe(200);
        const changed = changes(baseline.upstream, upstream);
        // `stream` and `stream_options` shape agentd's own answer (the streaming tests cover them): what the
        // provider gets is the same. Every other parameter must show in the provider's request.
        if (CHAT_PARAMETERS[name as keyof typeof CHAT_PARAMETERS] !== 'agentd')
          expect(Object.keys(changed), `${name} did not reach the provider`).not.toEqual([]);
        outcomes[name] = changed;
      }
      if (type === 'openai') {
        expect(Object.values(outcomes)).not.toContain('refused');
        // An OpenAI-type provider gets every parameter under its own name (the caps as max_tokens, which a
        // compatible server knows).
        for (const [name, changed] of Object.entries(outcomes)) {
          if (CHAT_PARAMETERS[name as keyof typeof CHAT_PARAMETERS] === 'agentd') continue;
          const expected = name === 'max_completion_tokens' ? 'max_tokens' : name;
          expect(
            Object.keys(changed as object).some((path) => path.split('.')[0] === expected),
            name,
          ).toBe(true);
        }
      }
      expect(outcomes).toMatchSnapshot();
    });
  }

  it('passes OpenAI-only parameters to an OpenAI-type provider as they are', async () => {
    await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: {
        model: 'oa/m',
        messages: [{ role: 'user', content: 'hi' }],
        reasoning_effort: 'low',
        verbosity: 'low',
        n: 2,
        vllm_extra: 1,
      },
    });
    expect(openai.requests.at(-1)!.json()).toMatchObject({
      reasoning_effort: 'low',
      verbosity: 'low',
      n: 2,
      vllm_extra: 1,
    });
  });

  it('translates for Anthropic: json_schema as a forced tool whose input is the answer, images, stop sequences, no max_tokens cut', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: {
        model: 'claude/claude-sonnet-4-6',
        stop: 'END',
        user: 'u1',
        response_format: SAMPLES.response_format,
        messages: [
          { role: 'system', content: 'Be exact.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Read' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      },
    });
    expect(response.json().choices[0]).toMatchObject({ message: { content: '{"a":"x"}' }, finish_reason: 'stop' });
    expect(anthropic.requests.at(-1)!.json()).toMatchObject({
      system: 'Be exact.',
      max_tokens: 64_000,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      tool_choice: { type: 'tool', name: 'answer' },
      tools: [{ name: 'answer', input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
    });
  });

  it('translates tool-result turns for Anthropic and Ollama', async () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_9', content: 'snow' },
    ];
    await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'claude/claude-sonnet-4-6', messages, tools: SAMPLES.tools },
    });
    expect(anthropic.requests.at(-1)!.json<{ messages: unknown }>().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_9', name: 'lookup', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_9', content: 'snow' }] },
    ]);
    await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: {
        model: 'local/llama',
        messages,
        tools: SAMPLES.tools,
        seed: 3,
        response_format: SAMPLES.response_format,
      },
    });
    expect(ollama.requests.at(-1)!.json()).toMatchObject({
      format: { type: 'object' },
      options: { seed: 3 },
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      messages: [
        { role: 'user' },
        { role: 'assistant', tool_calls: [{ function: { name: 'lookup', arguments: { city: 'Oslo' } } }] },
        { role: 'tool', content: 'snow', tool_name: 'lookup' },
      ],
    });
    expect(ollama.requests.at(-1)!.json<{ options: object }>().options).not.toHaveProperty('num_predict');
  });
});

describe("every field of OpenAI's messages is honoured or refused", () => {
  let openai: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    openai = await startWireServer((_request, response) => sendJson(response, 200, openAICompletion()));
    // Anthropic and Ollama are never reached: every request below is refused before it is sent.
    ({ app, close } = await buildTestApp({
      providers: {
        oa: { type: 'openai', baseURL: `${openai.url}/v1` },
        claude: { type: 'anthropic', baseURL: 'http://127.0.0.1:9', apiKey: 'ak-test-0123456789' },
        local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' },
      },
      models: { default: 'oa/m' },
    }));
  });
  afterAll(async () => {
    await close();
    await openai.close();
  });

  const chat = (model: string, messages: unknown[], extra: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model, messages, ...extra },
    });

  /** A conversation with every message field OpenAI has beyond role and text content. */
  const MESSAGE_FIELDS: Array<[string, string, unknown[]]> = [
    ["a participant's name", 'messages[0].name', [{ role: 'user', content: 'hi', name: 'ana' }]],
    [
      "an assistant's refusal part",
      'messages[1].content[0]',
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
        { role: 'user', content: 'why?' },
      ],
    ],
    [
      "an assistant's refusal",
      'messages[1].refusal',
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, refusal: 'I cannot.' },
        { role: 'user', content: 'why?' },
      ],
    ],
    [
      "an assistant's audio",
      'messages[1].audio',
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, audio: { id: 'audio_1' } },
        { role: 'user', content: 'again' },
      ],
    ],
    [
      'an audio part',
      'messages[0].content[1]',
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Listen' },
            { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
          ],
        },
      ],
    ],
    [
      'a file part',
      'messages[0].content[0]',
      [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
    ],
    [
      'a text part with a field agentd does not know',
      'messages[0].content[0]',
      [{ role: 'system', content: [{ type: 'text', text: 'Be brief.', x_weight: 2 }] }],
    ],
  ];

  for (const [what, param, messages] of MESSAGE_FIELDS) {
    it(`${what} (${param}): passed as it is to an OpenAI-type provider, a 400 naming it from Anthropic and Ollama`, async () => {
      const sent = await chat('oa/m', messages);
      expect(sent.statusCode, sent.body).toBe(200);
      expect(openai.requests.at(-1)!.json<{ messages: unknown }>().messages).toEqual(messages);
      for (const [model, type] of [
        ['claude/claude-sonnet-4-6', 'anthropic'],
        ['local/llama', 'ollama'],
      ] as const) {
        const refused = await chat(model, messages);
        expect(refused.statusCode, `${type}: ${refused.body}`).toBe(400);
        expect(refused.json().error).toMatchObject({ param, type: 'invalid_request_error' });
        expect(refused.json().error.message).toContain(`(${type})`);
      }
    });
  }

  it('sends text-only content parts of any role as text, and other parts of any role as they are', async () => {
    const messages = [
      {
        role: 'system',
        content: [
          { type: 'text', text: 'Be ' },
          { type: 'text', text: 'brief.' },
        ],
      },
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      {
        role: 'tool',
        tool_call_id: 'c1',
        content: [
          { type: 'text', text: 'done' },
          { type: 'x-part', x: 1 },
        ],
      },
    ];
    expect((await chat('oa/m', messages)).statusCode).toBe(200);
    expect(openai.requests.at(-1)!.json<{ messages: unknown }>().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      messages[1],
      messages[2],
      messages[3],
    ]);
  });

  it("sends a developer message to a compatible server as system (most know no other), and to OpenAI's own API as developer", async () => {
    expect(
      (
        await chat('oa/m', [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ])
      ).statusCode,
    ).toBe(200);
    expect(openai.requests.at(-1)!.json<{ messages: Array<{ role: string }> }>().messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    const request = toGenerateRequest(
      chatBodySchema.parse({ model: 'm', messages: [{ role: 'developer', content: 'Be brief.' }] }),
    );
    expect(openAIBody({ ...request, model: 'gpt-5' }, true).messages).toEqual([
      { role: 'developer', content: 'Be brief.' },
    ]);
  });

  it('refuses max_tokens and max_completion_tokens that disagree, and takes them when they agree', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const refused = await chat('oa/m', messages, { max_tokens: 100, max_completion_tokens: 50 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ param: 'max_tokens' });
    expect(refused.json().error.message).toContain('max_completion_tokens (50)');
    expect((await chat('oa/m', messages, { max_tokens: 80, max_completion_tokens: 80 })).statusCode).toBe(200);
    expect(openai.requests.at(-1)!.json()).toMatchObject({ max_tokens: 80 });
  });

  it('keeps a cache breakpoint: as sent to an OpenAI-type provider, as its own cache_control to Anthropic, refused by Ollama', async () => {
    const cached = { type: 'ephemeral' };
    const messages = [
      { role: 'system', content: [{ type: 'text', text: 'A long manual.', cache_control: cached }] },
      { role: 'user', content: [{ type: 'text', text: 'Question', cache_control: cached }] },
    ];
    expect((await chat('oa/m', messages)).statusCode).toBe(200);
    expect(openai.requests.at(-1)!.json<{ messages: unknown }>().messages).toEqual(messages);
    const anthropic = await startWireServer((_request, response) =>
      sendJson(response, 200, anthropicMessage([{ type: 'text', text: 'ok' }])),
    );
    const cachedApp = await buildTestApp({
      providers: { claude: { type: 'anthropic', baseURL: anthropic.url, apiKey: 'ak-test-0123456789' } },
      models: { default: 'claude/claude-sonnet-4-6' },
    });
    try {
      const sent = await cachedApp.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: auth,
        payload: { model: 'claude/claude-sonnet-4-6', messages },
      });
      expect(sent.statusCode, sent.body).toBe(200);
      expect(anthropic.requests.at(-1)!.json()).toMatchObject({
        system: [{ type: 'text', text: 'A long manual.', cache_control: cached }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Question', cache_control: cached }] }],
      });
    } finally {
      await cachedApp.close();
      await anthropic.close();
    }
    const refused = await chat('local/llama', messages);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ param: 'messages[0].content[0].cache_control' });
  });

  it("leaves an assistant's empty content as sent beside fields that do not stand in for it", async () => {
    const messages = [
      { role: 'user', content: 'Write a poem.' },
      { role: 'assistant', content: '', prefix: true },
    ];
    expect((await chat('oa/m', messages)).statusCode).toBe(200);
    expect(openai.requests.at(-1)!.json<{ messages: unknown }>().messages).toEqual(messages);
  });
});
