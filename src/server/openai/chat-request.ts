import { z } from 'zod';
import { BadRequestError } from '../../errors.js';
import type { GenerateRequest } from '../../gateway/generate-types.js';
import type {
  ChatContentPart,
  ChatMessage,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '../../gateway/language-model.js';

/**
 * Every parameter of OpenAI's chat completion request (openai-node 6.x `ChatCompletionCreateParamsBase`, plus
 * the two that 7.x added, `moderation` and `prompt_cache_options`: 7.x needs Node 22, but its users call agentd
 * too), and
 * what agentd does with it. `neutral`: translated for every provider type (each refuses what it cannot do);
 * `agentd`: handled by agentd itself; `openai`: OpenAI-only, passed as it is to OpenAI-type providers, translated
 * or refused (400 naming it and the provider) by the others. A field outside this list is passed like `openai`
 * ones, since OpenAI-compatible servers (vLLM, OpenRouter) take extra parameters of their own.
 */
export const CHAT_PARAMETERS = {
  model: 'agentd',
  messages: 'neutral',
  stream: 'agentd',
  stream_options: 'agentd',
  max_tokens: 'neutral',
  max_completion_tokens: 'neutral',
  temperature: 'neutral',
  top_p: 'neutral',
  stop: 'neutral',
  seed: 'neutral',
  presence_penalty: 'neutral',
  frequency_penalty: 'neutral',
  response_format: 'neutral',
  tools: 'neutral',
  tool_choice: 'neutral',
  parallel_tool_calls: 'neutral',
  n: 'openai',
  logprobs: 'openai',
  top_logprobs: 'openai',
  logit_bias: 'openai',
  user: 'openai',
  reasoning_effort: 'openai',
  audio: 'openai',
  modalities: 'openai',
  prediction: 'openai',
  metadata: 'openai',
  store: 'openai',
  service_tier: 'openai',
  prompt_cache_key: 'openai',
  prompt_cache_retention: 'openai',
  prompt_cache_options: 'openai',
  moderation: 'openai',
  safety_identifier: 'openai',
  verbosity: 'openai',
  web_search_options: 'openai',
  functions: 'openai',
  function_call: 'openai',
} as const satisfies Record<string, 'agentd' | 'neutral' | 'openai'>;

const textParts = z.array(z.object({ type: z.string(), text: z.string().optional() }).loose());
const text = z.union([z.string(), textParts]).nullish();

const toolCallSchema = z
  .object({
    id: z.string(),
    type: z.string().optional(),
    function: z.object({ name: z.string(), arguments: z.string() }),
  })
  .loose();

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: text, name: z.string().optional() }).loose(),
  z
    .object({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]),
      name: z.string().optional(),
    })
    .loose(),
  z
    .object({
      role: z.literal('assistant'),
      content: text,
      name: z.string().optional(),
      tool_calls: z.array(toolCallSchema).nullish(),
    })
    .loose(),
  z.object({ role: z.literal('tool'), content: text, tool_call_id: z.string() }).loose(),
]);

const functionToolSchema = z.object({
  type: z.literal('function'),
  function: z
    .object({
      name: z.string(),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    })
    .loose(),
});

/** The parameters agentd reads itself; the others are validated by the provider that receives them. */
export const chatBodySchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1, 'expected at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z
      .object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
      .strict()
      .nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({
            name: z.string(),
            schema: z.record(z.string(), z.unknown()).optional(),
            description: z.string().optional(),
            strict: z.boolean().nullish(),
          }),
        }),
      ])
      .optional(),
    tools: z.array(z.object({ type: z.string() }).loose()).optional(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.string() }).loose()]).optional(),
    parallel_tool_calls: z.boolean().optional(),
  })
  .loose();

export type ChatBody = z.infer<typeof chatBodySchema>;

/** The gateway request for an OpenAI chat completion body (already parsed with `chatBodySchema`). */
export function toGenerateRequest(body: ChatBody): GenerateRequest {
  if (body.stream_options?.include_obfuscation === true) {
    throw new BadRequestError(
      'stream_options.include_obfuscation: agentd does not pad its stream chunks; send false or leave it out',
      { param: 'stream_options' },
    );
  }
  const openAIOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const kind = (CHAT_PARAMETERS as Record<string, string>)[key];
    if (value !== undefined && (kind === undefined || kind === 'openai')) openAIOptions[key] = value;
  }
  const tools = neutralTools(body.tools);
  const toolChoice = neutralToolChoice(body.tool_choice);
  // Tools or a choice agentd has no neutral form for (custom tools, allowed_tools) go as they are.
  if (body.tools !== undefined && tools === undefined) openAIOptions.tools = body.tools;
  if (body.tool_choice !== undefined && toolChoice === undefined) openAIOptions.tool_choice = body.tool_choice;
  const stop = body.stop ?? undefined;
  const cap = body.max_completion_tokens ?? undefined;
  if (cap !== undefined && body.max_tokens !== undefined && body.max_tokens !== null && body.max_tokens !== cap) {
    // Two caps that disagree: which one the client meant is a guess, and a dropped cap is a silent change.
    throw new BadRequestError(
      `max_tokens (${body.max_tokens}) and max_completion_tokens (${cap}) differ: send one (max_completion_tokens is OpenAI's newer name for it)`,
      { param: 'max_tokens' },
    );
  }
  return {
    model: body.model,
    messages: body.messages.map(toChatMessage),
    maxOutputTokens: cap ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stop: stop === undefined ? undefined : Array.isArray(stop) ? stop : [stop],
    seed: body.seed ?? undefined,
    presencePenalty: body.presence_penalty ?? undefined,
    frequencyPenalty: body.frequency_penalty ?? undefined,
    responseFormat: responseFormat(body.response_format),
    tools,
    toolChoice,
    parallelToolCalls: body.parallel_tool_calls,
    openAIOptions: Object.keys(openAIOptions).length > 0 ? openAIOptions : undefined,
  };
}

function responseFormat(format: ChatBody['response_format']): ResponseFormat | undefined {
  if (format === undefined) return undefined;
  if (format.type === 'text') return 'text';
  if (format.type === 'json_object') return 'json';
  const { name, schema, description, strict } = format.json_schema;
  return { type: 'json-schema', name, schema: schema ?? { type: 'object' }, description, strict: strict ?? undefined };
}

function neutralTools(tools: ChatBody['tools']): ToolDefinition[] | undefined {
  if (tools === undefined) return undefined;
  const definitions: ToolDefinition[] = [];
  for (const tool of tools) {
    const result = functionToolSchema.safeParse(tool);
    if (!result.success) return undefined;
    const { name, description, parameters, strict } = result.data.function;
    definitions.push({ name, description, parameters, strict: strict ?? undefined });
  }
  return definitions;
}

function neutralToolChoice(choice: ChatBody['tool_choice']): ToolChoice | undefined {
  if (choice === undefined || typeof choice === 'string') return choice;
  const named = (choice as { type: string; function?: { name?: unknown } }).function?.name;
  return choice.type === 'function' && typeof named === 'string' ? { name: named } : undefined;
}

type BodyMessage = ChatBody['messages'][number];

function toChatMessage(message: BodyMessage, index: number): ChatMessage {
  const name: { name?: string } = 'name' in message && typeof message.name === 'string' ? { name: message.name } : {};
  switch (message.role) {
    case 'system':
    case 'developer':
      return {
        role: 'system',
        ...contentOf(message.content, index, false),
        ...name,
        ...(message.role === 'developer' ? { developer: true } : {}),
      };
    case 'tool':
      return { role: 'tool', ...contentOf(message.content, index, false), toolCallId: message.tool_call_id };
    case 'assistant': {
      const { role: _role, content, name: _name, tool_calls: calls, ...rest } = message;
      const fields = Object.fromEntries(
        Object.entries(rest).filter(([, value]) => value !== null && value !== undefined),
      );
      return {
        role: 'assistant',
        ...contentOf(content, index, false),
        ...name,
        ...(calls && calls.length > 0
          ? {
              toolCalls: calls.map((call) => ({
                id: call.id,
                name: call.function.name,
                arguments: call.function.arguments,
              })),
            }
          : {}),
        ...(Object.keys(fields).length > 0 ? { openAIFields: fields } : {}),
      };
    }
    case 'user':
      return { role: 'user', ...contentOf(message.content, index, true), ...name };
  }
}

/**
 * A message's content as agentd's: its text, and its parts in order when any part is more than plain text.
 * Images are user content (`withImages`); a text part's `cache_control` is kept (`cacheControl`); any other
 * part, or a text part with other fields, is kept as OpenAI's own part (an assistant's `refusal`, an image
 * where OpenAI takes none, audio, files), which OpenAI-type providers pass on and the others refuse.
 */
function contentOf(
  content: string | ReadonlyArray<{ type: string; [key: string]: unknown }> | null | undefined,
  index: number,
  withImages: boolean,
): { content: string; parts?: ChatContentPart[] } {
  if (content === null || content === undefined) return { content: '' };
  if (typeof content === 'string') return { content };
  const parts: ChatContentPart[] = content.map((part, partIndex) => {
    if (part.type === 'text' && typeof part.text === 'string') {
      const { type: _type, text, cache_control: cacheControl, ...rest } = part;
      const cached = typeof cacheControl === 'object' && cacheControl !== null;
      if (Object.keys(rest).length === 0 && (cacheControl === undefined || cached))
        return cached
          ? { type: 'text', text, cacheControl: cacheControl as Record<string, unknown> }
          : { type: 'text', text };
    }
    if (withImages && part.type === 'image_url') return imagePart(part, index, partIndex);
    return { type: 'openai', part };
  });
  const text = parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  const plain = parts.every((part) => part.type === 'text' && part.cacheControl === undefined);
  return plain ? { content: text } : { content: text, parts };
}

function imagePart(part: { [key: string]: unknown }, index: number, partIndex: number): ChatContentPart {
  const image = part.image_url as { url?: unknown; detail?: unknown } | undefined;
  if (typeof image?.url !== 'string')
    throw new BadRequestError(`messages[${index}].content[${partIndex}].image_url.url: expected a string`, {
      param: `messages[${index}].content[${partIndex}].image_url`,
    });
  const detail =
    image.detail === 'low' || image.detail === 'high' || image.detail === 'auto' ? image.detail : undefined;
  return { type: 'image', url: image.url, detail };
}
