import { BadRequestError } from '../src/errors.js';
import type {
  CallWarning,
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ToolCall,
} from '../src/gateway/language-model.js';
import { unsupportedParameter } from '../src/gateway/provider-errors.js';
import { isNoOpOption, refuseOpenAIOnlyMessageFields } from '../src/gateway/openai-options.js';

/** Anthropic has no JSON mode; this instruction is what its documentation recommends instead. */
const JSON_INSTRUCTION = 'Answer with a single JSON object and nothing else: no prose, no code fences.';

/** OpenAI-only parameters that have an Anthropic equivalent. */
const TRANSLATED_OPTIONS = new Set(['user']);

type Block = Record<string, unknown> & { type: string };
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

/**
 * OpenAI-style chat requests in Anthropic's Messages format: system messages become `system`, tool calls
 * `tool_use` blocks and tool results `tool_result` blocks in a user turn, images image blocks; consecutive
 * turns of one role are merged, as the API requires them to alternate. A `json_schema` response format is a
 * forced tool whose input schema is the schema: Anthropic then returns JSON valid against it.
 */
export function checkAnthropicRequest(provider: { name: string; type: string }, request: ChatRequest): void {
  const refuse = (param: string, detail?: string) => unsupportedParameter(provider, param, detail);
  if (request.seed !== undefined) throw refuse('seed');
  if (request.presencePenalty !== undefined && request.presencePenalty !== 0) throw refuse('presence_penalty');
  if (request.frequencyPenalty !== undefined && request.frequencyPenalty !== 0) throw refuse('frequency_penalty');
  if (request.temperature !== undefined && request.temperature > 1)
    throw refuse('temperature', 'Anthropic accepts 0 to 1');
  if (typeof request.responseFormat === 'object' && request.tools !== undefined && request.tools.length > 0) {
    throw refuse('response_format', 'a json_schema format is a forced tool there, so it cannot be combined with tools');
  }
  for (const [key, value] of Object.entries(request.openAIOptions ?? {})) {
    if (!TRANSLATED_OPTIONS.has(key) && !isNoOpOption(key, value)) throw refuse(key);
  }
  refuseOpenAIOnlyMessageFields(provider, request.messages);
}

/** What `anthropicParams` does differently from what the request asked, reported on the result. */
export function anthropicWarnings(request: ChatRequest): CallWarning[] {
  const warnings: CallWarning[] = [];
  if (request.responseFormat === 'json')
    warnings.push({
      type: 'emulated',
      setting: 'response_format',
      details: 'Anthropic has no JSON mode: the model was told in the system prompt to answer with one JSON object',
    });
  else if (typeof request.responseFormat === 'object')
    warnings.push({
      type: 'emulated',
      setting: 'response_format',
      details: `Anthropic has no json_schema format: the schema was a forced tool "${request.responseFormat.name}"`,
    });
  if (request.maxOutputTokens === undefined)
    warnings.push({
      type: 'defaulted',
      setting: 'max_tokens',
      details: `Anthropic requires a cap: the model's maximum, ${defaultMaxTokens(request.model)}, was sent`,
    });
  return warnings;
}

export function anthropicParams(request: ChatRequest): Record<string, unknown> {
  const systemMessages = request.messages.filter((message) => message.role === 'system');
  const instructions = request.responseFormat === 'json' ? [JSON_INSTRUCTION] : [];
  const params: Record<string, unknown> = {
    model: request.model,
    // Anthropic requires a cap: without the client's, the model's own maximum, so nothing is cut short.
    max_tokens: request.maxOutputTokens ?? defaultMaxTokens(request.model),
    messages: alternate(request.messages.filter((message) => message.role !== 'system')),
  };
  if (systemMessages.some((message) => message.parts !== undefined)) {
    // A cache breakpoint in the instructions: Anthropic takes them as text blocks, each with its own.
    params.system = [
      ...request.messages.flatMap((message, index) => (message.role === 'system' ? blocksOf(message, index) : [])),
      ...instructions.map((text) => ({ type: 'text', text })),
    ];
  } else {
    const system = [...systemMessages.map((message) => message.content), ...instructions];
    if (system.length > 0) params.system = system.join('\n\n');
  }
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.stop !== undefined) params.stop_sequences = request.stop;
  const user = request.openAIOptions?.user;
  if (typeof user === 'string') params.metadata = { user_id: user };
  const format = request.responseFormat;
  if (typeof format === 'object') {
    params.tools = [
      {
        name: format.name,
        ...(format.description ? { description: format.description } : {}),
        input_schema: format.schema,
      },
    ];
    // One call of it: two would be two answers, and the content one JSON document.
    params.tool_choice = { type: 'tool', name: format.name, disable_parallel_tool_use: true };
  } else if (request.tools !== undefined && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = request.toolChoice ?? 'auto';
    const base =
      choice === 'auto'
        ? { type: 'auto' }
        : choice === 'none'
          ? { type: 'none' }
          : choice === 'required'
            ? { type: 'any' }
            : { type: 'tool', name: choice.name };
    params.tool_choice =
      request.parallelToolCalls === false && choice !== 'none' ? { ...base, disable_parallel_tool_use: true } : base;
  }
  return params;
}

/** The name of the forced tool standing for a json_schema response format, if any. */
export function schemaToolName(request: ChatRequest): string | undefined {
  return typeof request.responseFormat === 'object' ? request.responseFormat.name : undefined;
}

/**
 * The largest output each model family accepts. Anthropic insists on max_tokens; the newest families take
 * 64k, Claude 3.5 8k and Claude 3 4k (a larger value is a 400 there).
 */
export function defaultMaxTokens(model: string): number {
  if (/claude-3-5|claude-3\.5/.test(model)) return 8192;
  if (/claude-3-(opus|sonnet|haiku)/.test(model)) return 4096;
  if (/claude-opus-4-(0|1)|claude-opus-4-2025|claude-opus-4$/.test(model)) return 32_000;
  return 64_000;
}

function alternate(messages: ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message, index);
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  });
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', content: [{ type: 'text', text: '(continue)' }] });
  return turns;
}

function blocksOf(message: ChatMessage, index: number): Block[] {
  if (message.role === 'tool') {
    const content = message.parts
      ? message.parts.map((part, partIndex) => partBlock(part, index, partIndex))
      : message.content;
    return [{ type: 'tool_result', tool_use_id: message.toolCallId ?? '', content }];
  }
  const blocks: Block[] = message.parts
    ? message.parts.map((part, partIndex) => partBlock(part, index, partIndex))
    : message.content === ''
      ? []
      : [{ type: 'text', text: message.content }];
  for (const call of message.toolCalls ?? [])
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseArguments(call, index) });
  return blocks;
}

function partBlock(part: ChatContentPart, index: number, partIndex: number): Block {
  if (part.type === 'text')
    return { type: 'text', text: part.text, ...(part.cacheControl ? { cache_control: part.cacheControl } : {}) };
  if (part.type === 'openai')
    throw new BadRequestError(`messages[${index}].content[${partIndex}] cannot be sent to Anthropic`);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  return { type: 'image', source: { type: 'url', url: part.url } };
}

function parseArguments(call: ToolCall, index: number): unknown {
  try {
    return JSON.parse(call.arguments === '' ? '{}' : call.arguments);
  } catch (error) {
    throw new BadRequestError(`messages[${index}].tool_calls: the arguments of call "${call.id}" are not JSON`, {
      cause: error,
      param: `messages[${index}].tool_calls`,
    });
  }
}
