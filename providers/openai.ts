import OpenAI from 'openai';
import { z } from 'zod';
import { ProviderError } from '../src/errors.js';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStream,
  ChatStreamPart,
  EmbedRequest,
  EmbedResult,
  FinishReason,
  LanguageModelProvider,
  ProviderFactory,
} from '../src/gateway/language-model.js';
import { choiceFromOpenAI, openAIBody, partsFromOpenAIChunk } from './openai-wire.js';
import {
  abortError,
  headersToRecord,
  missingKeyError,
  providerHttpError,
  providerNetworkError,
} from '../src/gateway/provider-errors.js';

const OFFICIAL_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI-only settings (rule of three: nothing here is shared with other vendors). */
const openAIExtraSchema = z.object({ organization: z.string().optional() }).loose();

/**
 * OpenAI, and any OpenAI-compatible server through `baseURL` (vLLM, LM Studio, llama.cpp server,
 * OpenRouter). SDK retries are off: the gateway owns retries so that none bypasses the limiter.
 */
export const createOpenAIProvider: ProviderFactory = (options) => {
  const extra = openAIExtraSchema.parse(options.extra ?? {});
  const official = !options.baseURL || new URL(options.baseURL).hostname === 'api.openai.com';
  // Compatible servers often need no key; the SDK insists on one, so send a placeholder there.
  const apiKey = options.apiKey ?? (official ? undefined : 'none');
  const client = new OpenAI({
    apiKey: apiKey ?? 'missing',
    baseURL: options.baseURL ?? OFFICIAL_BASE_URL,
    organization: extra.organization ?? null,
    defaultHeaders: options.headers,
    timeout: options.timeoutMs ?? 600_000,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const ensureKey = () => {
    if (apiKey === undefined) throw missingKeyError(options.name, options.missingApiKeyEnv);
  };

  const provider: LanguageModelProvider = {
    name: options.name,
    type: 'openai',
    // OpenAI admits a request against its TPM limit at prompt + max_tokens, whatever is generated.
    limitAccounting: official ? 'prompt-plus-max-tokens' : 'actual-usage',
    openAITokenizer: official,
    builtInPricing: official,

    // Every parameter of OpenAI's API is passed as it is: this is the API agentd's is modelled on.
    check(): void {},

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      try {
        const body = {
          ...openAIBody(request, official),
          stream: false,
        } as unknown as ChatCompletionCreateParamsNonStreaming;
        const { data, response } = await client.chat.completions
          .create(body, { signal: callOptions.signal })
          .withResponse();
        const choices =
          data.choices.length > 0
            ? [...data.choices].sort((a, b) => a.index - b.index).map((choice) => choiceFromOpenAI(choice as never))
            : [{ text: '', toolCalls: [], finishReason: 'other' as const }];
        return {
          choices,
          usage: { inputTokens: data.usage?.prompt_tokens ?? 0, outputTokens: data.usage?.completion_tokens ?? 0 },
          model: data.model,
          headers: headersToRecord(response.headers),
        };
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      ensureKey();
      const open = async () => {
        // Usage is always asked for upstream: the ledger needs it whatever the client asked for.
        const body = {
          ...openAIBody(request, official),
          stream: true,
          stream_options: { include_usage: true },
        } as unknown as ChatCompletionCreateParamsStreaming;
        return client.chat.completions.create(body, { signal: callOptions.signal }).withResponse();
      };
      const { data: chunks, response } = await open().catch((error: unknown) => {
        throw normalize(options.name, error);
      });
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let reason: FinishReason = 'other';
        let usage = { inputTokens: 0, outputTokens: 0 };
        let model = request.model;
        try {
          for await (const chunk of chunks) {
            model = chunk.model || model;
            for (const choice of chunk.choices) {
              for (const part of partsFromOpenAIChunk(choice as never)) {
                if (part.type === 'choice-finish' && part.choice === 0) reason = part.finishReason;
                yield part;
              }
            }
            if (chunk.usage)
              usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
          }
        } catch (error) {
          throw normalize(options.name, error);
        }
        yield { type: 'finish', finishReason: reason, usage, model };
      }
      return { headers: headersToRecord(response.headers), parts: parts() };
    },

    async embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResult> {
      ensureKey();
      try {
        const { data, response } = await client.embeddings
          .create(
            {
              model: request.model,
              input: request.input,
              encoding_format: 'float',
              ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
            },
            { signal: callOptions.signal },
          )
          .withResponse();
        const embeddings = [...data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
        return {
          embeddings,
          inputTokens: data.usage?.prompt_tokens ?? 0,
          model: data.model,
          headers: headersToRecord(response.headers),
        };
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async listModels(callOptions: CallOptions = {}): Promise<string[]> {
      ensureKey();
      try {
        const ids: string[] = [];
        // The page iterator follows the pagination of servers that have it; most answer in one page.
        for await (const model of client.models.list({ signal: callOptions.signal })) ids.push(model.id);
        return ids;
      } catch (error) {
        throw normalize(options.name, error);
      }
    },
  };
  return provider;
};

function normalize(provider: string, error: unknown): Error {
  if (error instanceof ProviderError) return error;
  if (error instanceof OpenAI.APIUserAbortError) return abortError(error);
  if (error instanceof OpenAI.APIConnectionTimeoutError) return providerNetworkError(provider, error, true);
  if (error instanceof OpenAI.APIConnectionError) return providerNetworkError(provider, error, false);
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const body = error.error as { message?: string } | undefined;
    return providerHttpError(
      provider,
      error.status,
      error.code ?? error.type ?? undefined,
      body?.message ?? error.message,
      headersToRecord(error.headers),
      error,
    );
  }
  if (error instanceof Error && error.name === 'AbortError') return abortError(error);
  return providerNetworkError(provider, error, false);
}
