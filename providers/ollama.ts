import { Ollama, type ChatResponse } from 'ollama';
import { ProviderError } from '../src/errors.js';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStream,
  ChatStreamPart,
  ChatUsage,
  EmbedRequest,
  EmbedResult,
  FinishReason,
  LanguageModelProvider,
  ProviderFactory,
} from '../src/gateway/language-model.js';
import { checkOllamaRequest, ollamaBody, openAILogprobs, toolCallsOf } from './ollama-wire.js';
import { hasBuiltInPricing } from '../src/config/provider-types.js';
import {
  abortError,
  headersToRecord,
  providerError,
  providerHttpError,
  providerNetworkError,
  unsupportedParameter,
} from '../src/gateway/provider-errors.js';
import { toAbortSignal } from '../src/gateway/cancel-signal.js';
import { chatUsage } from '../src/gateway/chat-usage.js';

const DEFAULT_HOST = 'http://127.0.0.1:11434';

/**
 * A local Ollama server through the official SDK (NDJSON streaming, or `stream: false`). The SDK's `abort()`
 * cancels every request of a client, so each call gets its own client whose fetch carries the call's signal
 * and a timeout, and hands back the response headers.
 */
export const createOllamaProvider: ProviderFactory = (options) => {
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 600_000;

  const clientFor = (signal: AbortSignal | undefined) => {
    const captured: { headers: Record<string, string> } = { headers: {} };
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const client = new Ollama({
      host: options.baseURL ?? DEFAULT_HOST,
      ...(options.headers ? { headers: options.headers } : {}),
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const response = await baseFetch(input, { ...init, signal: combined });
        captured.headers = headersToRecord(response.headers);
        return response;
      },
    });
    return { client, captured, timeout };
  };

  const provider: LanguageModelProvider = {
    name: options.name,
    type: 'ollama',
    limitAccounting: 'actual-usage',
    openAITokenizer: false,
    builtInPricing: hasBuiltInPricing('ollama', options.baseURL),

    check(request: ChatRequest): void {
      checkOllamaRequest(provider, request);
    },

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      checkOllamaRequest(provider, request);
      const { client, captured, timeout } = clientFor(toAbortSignal(callOptions.signal));
      try {
        const response = await client.chat({ ...ollamaBody(request), stream: false });
        const toolCalls = toolCallsOf(response.message);
        const fields = openAILogprobs(response);
        return {
          choices: [
            {
              text: response.message.content,
              toolCalls,
              finishReason: toolCalls.length > 0 ? 'tool-calls' : finishReason(response),
              ...(fields ? { openAIFields: fields } : {}),
            },
          ],
          usage: usageOf(response),
          model: response.model,
          headers: captured.headers,
        };
      } catch (error) {
        throw normalize(options.name, error, timeout.aborted, captured.headers);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      checkOllamaRequest(provider, request);
      const { client, captured, timeout } = clientFor(toAbortSignal(callOptions.signal));
      let chunks: AsyncIterable<ChatResponse>;
      try {
        chunks = await client.chat({ ...ollamaBody(request), stream: true });
      } catch (error) {
        throw normalize(options.name, error, timeout.aborted, captured.headers);
      }
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let last: ChatResponse | undefined;
        let toolCallCount = 0;
        try {
          for await (const chunk of chunks) {
            if (chunk.message?.content) yield { type: 'text-delta', choice: 0, text: chunk.message.content };
            // Ollama sends each tool call whole, in one chunk.
            for (const call of toolCallsOf(chunk.message)) {
              yield {
                type: 'tool-call-delta',
                choice: 0,
                index: toolCallCount,
                id: call.id,
                name: call.name,
                argumentsDelta: call.arguments,
              };
              toolCallCount += 1;
            }
            const fields = openAILogprobs(chunk);
            if (fields) yield { type: 'openai-delta', choice: 0, fields };
            last = chunk;
          }
        } catch (error) {
          throw normalize(options.name, error, timeout.aborted, captured.headers);
        }
        if (!last?.done) throw providerError(options.name, 'server', 'the stream ended before its final message');
        const reason = toolCallCount > 0 ? 'tool-calls' : finishReason(last);
        yield { type: 'choice-finish', choice: 0, finishReason: reason };
        yield { type: 'finish', finishReason: reason, usage: usageOf(last), model: last.model };
      }
      return { headers: captured.headers, parts: parts() };
    },

    checkEmbed(request: EmbedRequest): void {
      if (request.user !== undefined) throw unsupportedParameter(provider, 'user');
    },

    async embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResult> {
      const { client, captured, timeout } = clientFor(toAbortSignal(callOptions.signal));
      try {
        const response = await client.embed({
          model: request.model,
          input: request.input,
          ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
        });
        return {
          embeddings: response.embeddings,
          inputTokens: response.prompt_eval_count ?? 0,
          model: response.model,
          headers: captured.headers,
        };
      } catch (error) {
        throw normalize(options.name, error, timeout.aborted, captured.headers);
      }
    },

    async listModels(callOptions: CallOptions = {}): Promise<string[]> {
      const { client, captured, timeout } = clientFor(toAbortSignal(callOptions.signal));
      try {
        // /api/tags: the pulled models, named as chat requests name them (`llama3.1:latest`).
        const listed = await client.list();
        return listed.models.map((model) => model.name);
      } catch (error) {
        throw normalize(options.name, error, timeout.aborted, captured.headers);
      }
    },
  };
  return provider;
};

function usageOf(response: ChatResponse): ChatUsage {
  return chatUsage(response.prompt_eval_count ?? 0, response.eval_count ?? 0);
}

function finishReason(response: ChatResponse): FinishReason {
  if (response.done_reason === 'length') return 'length';
  if (response.done_reason === 'stop' || response.done_reason === undefined) return 'stop';
  return 'other';
}

function normalize(provider: string, error: unknown, timedOut: boolean, headers: Record<string, string>): Error {
  if (error instanceof ProviderError) return error;
  const status = (error as { status_code?: unknown }).status_code;
  if (typeof status === 'number') {
    return providerHttpError(provider, status, undefined, errorText(error), headers, error);
  }
  if (timedOut) return providerNetworkError(provider, error, true);
  if (error instanceof Error && error.name === 'AbortError') return abortError(error);
  return providerNetworkError(provider, error, false);
}

/**
 * The text of the SDK's ResponseError: its `error` is the body's `error` field, a string from Ollama itself but
 * an object (`{"message": ...}`) from a proxy in front of it, or absent; the message is the fallback.
 */
function errorText(error: unknown): string {
  const field = (error as { error?: unknown }).error;
  if (typeof field === 'string') return field;
  const nested = (field as { message?: unknown } | null | undefined)?.message;
  if (typeof nested === 'string') return nested;
  if (field !== undefined && field !== null) return JSON.stringify(field);
  return error instanceof Error ? error.message : String(error);
}
