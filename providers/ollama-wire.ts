import { randomUUID } from 'node:crypto';
import type {
  ChatRequest as OllamaChatRequest,
  ChatResponse,
  Message as OllamaMessage,
  Tool as OllamaTool,
} from 'ollama';
import { BadRequestError } from '../src/errors.js';
import type { ChatMessage, ChatRequest, ToolCall } from '../src/gateway/language-model.js';
import { isNoOpOption, refuseOpenAIOnlyMessageFields } from '../src/gateway/openai-options.js';
import { unsupportedParameter } from '../src/gateway/provider-errors.js';

/** OpenAI-only parameters that have an Ollama equivalent. */
const TRANSLATED_OPTIONS = new Set(['logprobs', 'top_logprobs', 'reasoning_effort']);

/**
 * OpenAI-style chat requests in Ollama's /api/chat format: sampling settings go to `options`, a response
 * format to `format` (a JSON schema as it is), tools and tool calls to Ollama's own (arguments as objects),
 * images as base64.
 */
export function checkOllamaRequest(provider: { name: string; type: string }, request: ChatRequest): void {
  const refuse = (param: string, detail?: string) => unsupportedParameter(provider, param, detail);
  const choice = request.toolChoice;
  if (choice !== undefined && choice !== 'auto' && choice !== 'none')
    throw refuse('tool_choice', 'Ollama lets the model choose ("auto") or gets no tools ("none")');
  if (request.parallelToolCalls === false)
    throw refuse('parallel_tool_calls', 'Ollama cannot be kept to one tool call');
  for (const [key, value] of Object.entries(request.openAIOptions ?? {})) {
    if (!TRANSLATED_OPTIONS.has(key) && !isNoOpOption(key, value)) throw refuse(key);
  }
  const effort = request.openAIOptions?.reasoning_effort;
  if (effort !== undefined && effort !== null && !['none', 'minimal', 'low', 'medium', 'high'].includes(String(effort)))
    throw refuse('reasoning_effort', `"${String(effort)}"`);
  refuseOpenAIOnlyMessageFields(provider, request.messages, (part, param) => {
    if (part.type === 'text' && part.cacheControl !== undefined)
      throw refuse(`${param}.cache_control`, 'Ollama has no prompt-cache breakpoints');
    if (part.type === 'image' && !part.url.startsWith('data:'))
      throw refuse(`${param}.image_url`, 'Ollama takes images as data: URLs only');
  });
}

export function ollamaBody(request: ChatRequest): Omit<OllamaChatRequest, 'stream'> {
  const options: Record<string, unknown> = {};
  if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.stop !== undefined) options.stop = request.stop;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty;
  const body: Omit<OllamaChatRequest, 'stream'> = {
    model: request.model,
    messages: request.messages.map((message, index) => ollamaMessage(message, index, request.messages)),
    options,
  };
  const format = request.responseFormat;
  if (format === 'json') body.format = 'json';
  else if (typeof format === 'object') body.format = format.schema;
  if (request.tools !== undefined && request.tools.length > 0 && request.toolChoice !== 'none') {
    body.tools = request.tools.map(
      (tool) =>
        ({
          type: 'function',
          function: {
            name: tool.name,
            description: tool.description ?? '',
            parameters: tool.parameters ?? { type: 'object', properties: {} },
          },
        }) as OllamaTool,
    );
  }
  const extra = request.openAIOptions ?? {};
  if (extra.logprobs === true) body.logprobs = true;
  if (typeof extra.top_logprobs === 'number') body.top_logprobs = extra.top_logprobs;
  const effort = extra.reasoning_effort;
  if (typeof effort === 'string')
    body.think = effort === 'none' || effort === 'minimal' ? false : (effort as 'low' | 'medium' | 'high');
  return body;
}

function ollamaMessage(message: ChatMessage, index: number, all: readonly ChatMessage[]): OllamaMessage {
  if (message.role === 'tool') {
    // Ollama names the tool a result belongs to; OpenAI names the call, so find the call's tool.
    const call = all
      .flatMap((earlier) => earlier.toolCalls ?? [])
      .find((candidate) => candidate.id === message.toolCallId);
    return { role: 'tool', content: message.content, ...(call ? { tool_name: call.name } : {}) };
  }
  const images = (message.parts ?? []).flatMap((part) =>
    part.type === 'image' ? [part.url.slice(part.url.indexOf(',') + 1)] : [],
  );
  const result: OllamaMessage = {
    role: message.role,
    content: message.content,
    ...(images.length > 0 ? { images } : {}),
  };
  if (message.toolCalls && message.toolCalls.length > 0) {
    result.tool_calls = message.toolCalls.map((call) => ({
      function: { name: call.name, arguments: parseArguments(call, index) },
    }));
  }
  return result;
}

function parseArguments(call: ToolCall, index: number): Record<string, unknown> {
  try {
    return JSON.parse(call.arguments === '' ? '{}' : call.arguments) as Record<string, unknown>;
  } catch (error) {
    throw new BadRequestError(`messages[${index}].tool_calls: the arguments of call "${call.id}" are not JSON`, {
      cause: error,
      param: `messages[${index}].tool_calls`,
    });
  }
}

/** Ollama's tool calls with the ids OpenAI clients need to answer them (Ollama has none). */
export function toolCallsOf(message: ChatResponse['message'] | undefined): ToolCall[] {
  return (message?.tool_calls ?? []).map((call) => ({
    id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    name: call.function.name,
    arguments: JSON.stringify(call.function.arguments ?? {}),
  }));
}

/** Ollama's log probabilities in OpenAI's shape. */
export function openAILogprobs(response: ChatResponse): Record<string, unknown> | undefined {
  const logprobs = (
    response as {
      logprobs?: Array<{ token: string; logprob: number; top_logprobs?: Array<{ token: string; logprob: number }> }>;
    }
  ).logprobs;
  if (!logprobs || logprobs.length === 0) return undefined;
  const entry = (item: { token: string; logprob: number }) => ({
    token: item.token,
    logprob: item.logprob,
    bytes: [...Buffer.from(item.token, 'utf8')],
  });
  return {
    logprobs: {
      content: logprobs.map((item) => ({ ...entry(item), top_logprobs: (item.top_logprobs ?? []).map(entry) })),
      refusal: null,
    },
  };
}
