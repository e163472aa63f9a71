import { randomUUID } from 'node:crypto';
import type { GenerateResult, GenerateStreamPart } from '../../gateway/generate-types.js';
import type { ChatChoice, FinishReason } from '../../gateway/language-model.js';

/** A chat completion in OpenAI's shape, plus agentd's cost in `agentd`. */
export function completionBody(result: GenerateResult) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: result.model,
    choices: result.choices.map((choice, index) => choiceBody(choice, index)),
    usage: usageBody(result),
    ...result.openAIFields,
    agentd: { costUsd: result.costUsd, costUnknown: result.costUnknown, attempts: result.attempts },
  };
}

function choiceBody(choice: ChatChoice, index: number) {
  const { logprobs = null, ...messageFields } = choice.openAIFields ?? {};
  const toolCalls = choice.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  const message = {
    role: 'assistant',
    // OpenAI sends null content beside tool calls; clients test for it.
    content: choice.text === '' && toolCalls.length > 0 ? null : choice.text,
    refusal: null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...messageFields,
  };
  return { index, message, logprobs, finish_reason: openAIFinishReason(choice.finishReason) };
}

export function usageBody(result: Pick<GenerateResult, 'usage'>) {
  return {
    prompt_tokens: result.usage.promptTokens,
    completion_tokens: result.usage.completionTokens,
    total_tokens: result.usage.promptTokens + result.usage.completionTokens,
    // An OpenAI-type provider's details (cached and reasoning tokens), as it sent them.
    ...result.usage.openAIDetails,
  };
}

/**
 * The chunks of a streamed completion, as OpenAI sends them: a role chunk opening each choice, deltas, a
 * finish chunk per choice, and with `include_usage` a last chunk with empty `choices` and the usage (every
 * other chunk then has `usage: null`).
 */
export class ChunkWriter {
  readonly #id = `chatcmpl-${randomUUID()}`;
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #opened = new Set<number>();
  readonly #model: string;
  readonly #includeUsage: boolean;
  /** The provider's own chunk fields (`system_fingerprint`...), on every chunk from the part that set them. */
  #fields: Record<string, unknown> | undefined;

  constructor(model: string, includeUsage: boolean) {
    this.#model = model;
    this.#includeUsage = includeUsage;
  }

  /** The chunks (zero, one or two) for one part of the stream. */
  chunksFor(part: GenerateStreamPart): object[] {
    if (part.type === 'openai-chunk-fields') {
      this.#fields = part.fields;
      return [];
    }
    const chunks: object[] = [];
    if (!this.#opened.has(part.choice)) {
      this.#opened.add(part.choice);
      chunks.push(this.#chunk(part.choice, { role: 'assistant', content: '' }, null));
    }
    switch (part.type) {
      case 'text-delta':
        chunks.push(this.#chunk(part.choice, { content: part.text }, null));
        break;
      case 'tool-call-delta': {
        const call = {
          index: part.index,
          ...(part.id === undefined ? {} : { id: part.id, type: 'function' }),
          function: { ...(part.name === undefined ? {} : { name: part.name }), arguments: part.argumentsDelta },
        };
        chunks.push(this.#chunk(part.choice, { tool_calls: [call] }, null));
        break;
      }
      case 'openai-delta': {
        const { logprobs, ...delta } = part.fields;
        chunks.push(this.#chunk(part.choice, delta, null, logprobs));
        break;
      }
      case 'choice-finish':
        chunks.push(this.#chunk(part.choice, {}, openAIFinishReason(part.finishReason)));
        break;
    }
    return chunks;
  }

  /** The closing chunk carrying the usage, when the client asked for it. */
  usageChunk(result: Pick<GenerateResult, 'usage'>): object | undefined {
    return this.#includeUsage
      ? {
          id: this.#id,
          object: 'chat.completion.chunk',
          created: this.#created,
          model: this.#model,
          ...this.#fields,
          choices: [],
          usage: usageBody(result),
        }
      : undefined;
  }

  #chunk(index: number, delta: object, finishReason: string | null, logprobs: unknown = null) {
    return {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      ...this.#fields,
      choices: [{ index, delta, logprobs, finish_reason: finishReason }],
      ...(this.#includeUsage ? { usage: null } : {}),
    };
  }
}

export function openAIFinishReason(reason: FinishReason): string {
  const names: Record<FinishReason, string> = {
    stop: 'stop',
    length: 'length',
    'content-filter': 'content_filter',
    'tool-calls': 'tool_calls',
    other: 'stop',
  };
  return names[reason];
}
