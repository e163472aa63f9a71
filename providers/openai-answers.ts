import type {
  ChatResult,
  ChatStreamPart,
  ChatUsage,
  EmbedRequest,
  EmbedResult,
  FinishReason,
} from '../src/gateway/language-model.js';
import { chatUsage } from '../src/gateway/chat-usage.js';
import { choiceFromOpenAI, partsFromOpenAIChunk } from './openai-wire.js';

/**
 * OpenAI's answers as agentd's results, the same whether they came through the SDK (`openai.ts`) or the
 * pass-through (`openai-pass-through.ts`). Only the fields read here are typed: the minimal shape.
 */

/** What is read of a chat completion. */
export interface WireCompletion {
  model: string;
  choices: Array<{ index: number }>;
  usage?: WireUsage | null;
}

/** OpenAI's usage: the counts agentd reads, and the details it passes on (`usageFrom`). */
interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  [detail: string]: unknown;
}

/** What is read of a streamed chunk. */
export interface WireChunk {
  model?: string | null;
  choices: Array<{ index: number }>;
  usage?: WireUsage | null;
}

/** What is read of an embeddings answer. */
export interface WireEmbeddings {
  model: string;
  data: Array<{ index: number; embedding: number[] }>;
  usage?: { prompt_tokens: number } | null;
}

/**
 * A whole completion as the one chunk that streams it, for a server that answered a stream request with a
 * completion: its message becomes the delta (tool calls numbered in order), its usage and finish kept.
 */
export function chunkFromCompletion(completion: WireCompletion): WireChunk {
  const choices = completion.choices.map((choice) => {
    const { message, finish_reason, logprobs, index } = choice as {
      index: number;
      message?: { tool_calls?: Array<Record<string, unknown>> } & Record<string, unknown>;
      finish_reason?: string | null;
      logprobs?: unknown;
    };
    const { tool_calls: calls, ...rest } = message ?? {};
    const delta = calls ? { ...rest, tool_calls: calls.map((call, position) => ({ index: position, ...call })) } : rest;
    return { index, delta, finish_reason: finish_reason ?? null, logprobs: logprobs ?? null };
  });
  return { model: completion.model, choices, usage: completion.usage ?? null };
}

/** Whether a streamed "chunk" is in fact a whole completion (a server that does not stream). */
export function isCompletion(data: unknown): data is WireCompletion {
  const object = data as { object?: unknown; choices?: Array<{ message?: unknown }> } | null;
  return object?.object === 'chat.completion' || object?.choices?.[0]?.message !== undefined;
}

export function chatResultFrom(data: WireCompletion, headers: Record<string, string>): ChatResult {
  const choices =
    data.choices.length > 0
      ? [...data.choices].sort((a, b) => a.index - b.index).map((choice) => choiceFromOpenAI(choice as never))
      : [{ text: '', toolCalls: [], finishReason: 'other' as const }];
  const usage = data.usage;
  return {
    choices,
    usage: usage ? usageFrom(usage) : chatUsage(0, 0),
    model: data.model,
    headers,
    openAIFields: extraFields(data as unknown as Record<string, unknown>, COMPLETION_FIELDS),
  };
}

/** The fields of a completion agentd reads or sets itself; any other is the provider's own, passed on. */
const COMPLETION_FIELDS = new Set(['id', 'object', 'created', 'model', 'choices', 'usage']);
/**
 * The fields of a chunk agentd reads or sets itself, and `obfuscation`, the padding OpenAI adds to each chunk so
 * that its size does not tell its content: agentd's own chunks are of other sizes, and the padding of one chunk
 * repeated on the others would defeat it.
 */
const CHUNK_FIELDS = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'obfuscation']);
/** The usage's counts, which agentd reads (and recomputes the total of); any other field is a detail. */
const USAGE_COUNTS = new Set(['prompt_tokens', 'completion_tokens', 'total_tokens']);

/** The counts; the cached prompt tokens, which cost less; and the details, passed on to clients. */
function usageFrom(usage: WireUsage): ChatUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return chatUsage(
    usage.prompt_tokens ?? 0,
    usage.completion_tokens ?? 0,
    extraFields(usage, USAGE_COUNTS),
    undefined,
    undefined,
    // A server may send the field with null, or something that is not a count: then nothing was cached.
    typeof cached === 'number' && cached > 0 ? cached : undefined,
  );
}

/** The fields of `object` outside `known`, or undefined when there are none (nothing allocated then). */
function extraFields(object: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const key in object) {
    if (known.has(key)) continue;
    extra ??= {};
    extra[key] = object[key];
  }
  return extra;
}

/** The parts of a streamed answer, ending with `finish` (the usage from the chunk that carried it). */
export async function* partsFrom(
  chunks: AsyncIterable<WireChunk>,
  requestModel: string,
): AsyncGenerator<ChatStreamPart> {
  let reason: FinishReason = 'other';
  let usage: ChatUsage = chatUsage(0, 0);
  let model = requestModel;
  let sent: Record<string, unknown> = {};
  let sentCount = 0;
  for await (const chunk of chunks) {
    model = chunk.model || model;
    const own = chunk as unknown as Record<string, unknown>;
    if (chunkFieldsChanged(own, sent, sentCount)) {
      sent = extraFields(own, CHUNK_FIELDS) ?? {};
      sentCount = Object.keys(sent).length;
      yield { type: 'openai-chunk-fields', fields: sent };
    }
    for (const choice of chunk.choices) {
      for (const part of partsFromOpenAIChunk(choice as never)) {
        if (part.type === 'choice-finish' && part.choice === 0) reason = part.finishReason;
        yield part;
      }
    }
    if (chunk.usage) usage = usageFrom(chunk.usage);
  }
  yield { type: 'finish', finishReason: reason, usage, model };
}

export function embedResultFrom(data: WireEmbeddings, headers: Record<string, string>): EmbedResult {
  const embeddings = [...data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  return { embeddings, inputTokens: data.usage?.prompt_tokens ?? 0, model: data.model, headers };
}

/** The body of an embeddings request. */
export function embedBody(request: EmbedRequest) {
  return {
    model: request.model,
    input: request.input,
    encoding_format: 'float' as const,
    ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
    ...(request.user === undefined ? {} : { user: request.user }),
  };
}

/**
 * Whether a chunk's own fields differ from those last passed on (`system_fingerprint` and the like are strings),
 * read in place: OpenAI sends them on every chunk, and a copy of them per chunk would be garbage per chunk. A
 * chunk without any (the usage chunk of some servers) changes nothing.
 */
function chunkFieldsChanged(chunk: Record<string, unknown>, sent: Record<string, unknown>, sentCount: number): boolean {
  let count = 0;
  for (const key in chunk) {
    if (CHUNK_FIELDS.has(key)) continue;
    if (chunk[key] !== sent[key]) return true;
    count += 1;
  }
  return count !== 0 && count !== sentCount;
}
