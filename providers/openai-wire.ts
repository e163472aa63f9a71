import type {
  ChatChoice,
  ChatMessage,
  ChatRequest,
  ChatStreamPart,
  FinishReason,
  ResponseFormat,
  ToolCall,
  ToolChoice,
} from '../src/gateway/language-model.js';

/**
 * agentd's chat request in OpenAI's wire format and back. OpenAI's format is the one the neutral request is
 * modelled on, so this is close to the identity; OpenAI-only parameters and message fields ride along as
 * they came.
 */
export function openAIBody(request: ChatRequest, official: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map((message) => openAIMessage(message, official)),
  };
  if (request.maxOutputTokens !== undefined) {
    // The official API wants max_completion_tokens (reasoning models refuse max_tokens); many compatible
    // servers only know max_tokens.
    body[official ? 'max_completion_tokens' : 'max_tokens'] = request.maxOutputTokens;
  }
  setDefined(body, 'temperature', request.temperature);
  setDefined(body, 'top_p', request.topP);
  setDefined(body, 'stop', request.stop);
  setDefined(body, 'seed', request.seed);
  setDefined(body, 'presence_penalty', request.presencePenalty);
  setDefined(body, 'frequency_penalty', request.frequencyPenalty);
  setDefined(body, 'parallel_tool_calls', request.parallelToolCalls);
  if (request.responseFormat !== undefined) body.response_format = openAIResponseFormat(request.responseFormat);
  if (request.tools !== undefined) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...defined({ description: tool.description, parameters: tool.parameters, strict: tool.strict }),
      },
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = openAIToolChoice(request.toolChoice);
  // Without options, the body as built: a spread copy is a shape Node 20's V8 allocates in the old generation
  // once the pass-through sets `stream` on it (see `queueRequest`).
  if (request.openAIOptions === undefined) return body;
  return { ...body, ...request.openAIOptions };
}

function openAIMessage(message: ChatMessage, official: boolean): Record<string, unknown> {
  const base: Record<string, unknown> = { role: message.developer && official ? 'developer' : message.role };
  if (message.name !== undefined) base.name = message.name;
  const content = message.parts
    ? message.parts.map((part) =>
        part.type === 'text'
          ? { type: 'text', text: part.text, ...defined({ cache_control: part.cacheControl }) }
          : part.type === 'image'
            ? { type: 'image_url', image_url: { url: part.url, ...defined({ detail: part.detail }) } }
            : part.part,
      )
    : message.content;
  if (message.role === 'tool') return { ...base, tool_call_id: message.toolCallId, content, ...message.openAIFields };
  if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
    base.tool_calls = message.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  // An assistant turn that is tool calls, audio or a refusal has no content: null, as OpenAI sends it. Other
  // fields (a compatible server's `prefix`, `reasoning_content`) leave an empty content as the client sent it.
  const fields = message.openAIFields;
  const contentless =
    content === '' &&
    message.role === 'assistant' &&
    (base.tool_calls !== undefined || CONTENTLESS_FIELDS.some((field) => fields?.[field] !== undefined));
  base.content = contentless ? null : content;
  return { ...base, ...message.openAIFields };
}

/** Assistant fields that stand in for the content, which OpenAI then sends as null. */
const CONTENTLESS_FIELDS = ['refusal', 'audio', 'function_call'];

function openAIResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format === 'text') return { type: 'text' };
  if (format === 'json') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...defined({ description: format.description, strict: format.strict }),
    },
  };
}

function openAIToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** What agentd reads of a response choice: the minimal shape, the rest kept as OpenAI-only fields. */
interface WireChoice {
  index?: number;
  finish_reason?: string | null;
  logprobs?: unknown;
  message?: {
    content?: string | null;
    tool_calls?: Array<{ id: string; type?: string; function?: { name: string; arguments: string } }> | null;
    [field: string]: unknown;
  };
}

export function choiceFromOpenAI(choice: WireChoice): ChatChoice {
  const message = choice.message ?? {};
  const { content, tool_calls: rawCalls, role: _role, ...messageFields } = message;
  const calls = rawCalls ?? [];
  const toolCalls: ToolCall[] = calls.flatMap((call) =>
    call.function ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
  );
  const fields = defined({ ...messageFields, logprobs: choice.logprobs });
  // Tool calls agentd has no neutral form for (custom tools) stay in OpenAI's own shape.
  if (toolCalls.length < calls.length) fields.tool_calls = calls;
  return {
    text: content ?? '',
    toolCalls,
    finishReason: finishReason(choice.finish_reason),
    ...(Object.keys(fields).length > 0 ? { openAIFields: fields } : {}),
  };
}

interface WireChunkChoice {
  index: number;
  finish_reason?: string | null;
  logprobs?: unknown;
  delta?: {
    content?: string | null;
    tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    refusal?: string | null;
    [field: string]: unknown;
  };
}

/** The parts of one streamed chunk's choice. */
export function* partsFromOpenAIChunk(choice: WireChunkChoice): Generator<ChatStreamPart> {
  const delta = choice.delta ?? {};
  if (delta.content) yield { type: 'text-delta', choice: choice.index, text: delta.content };
  for (const call of delta.tool_calls ?? []) {
    yield {
      type: 'tool-call-delta',
      choice: choice.index,
      index: call.index,
      id: call.id,
      name: call.function?.name,
      argumentsDelta: call.function?.arguments ?? '',
    };
  }
  const fields = defined({ refusal: delta.refusal ?? undefined, logprobs: choice.logprobs ?? undefined });
  if (Object.keys(fields).length > 0) yield { type: 'openai-delta', choice: choice.index, fields };
  if (choice.finish_reason)
    yield { type: 'choice-finish', choice: choice.index, finishReason: finishReason(choice.finish_reason) };
}

export function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      return 'other';
  }
}

function setDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** The object without its undefined and null members. */
function defined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null));
}
