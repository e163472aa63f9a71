import OpenAI from 'openai';
import { z } from 'zod';
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
  LanguageModelProvider,
  ProviderFactory,
} from '../src/gateway/language-model.js';
import {
  chatResultFrom,
  embedBody,
  embedResultFrom,
  partsFrom,
  type WireChunk,
  type WireCompletion,
  type WireEmbeddings,
} from './openai-answers.js';
import { OpenAIHttp } from './openai-http.js';
import { createOpenAIPassThrough } from './openai-pass-through.js';
import { openAIBody } from './openai-wire.js';
import { headersToRecord, missingKeyError } from '../src/gateway/provider-errors.js';
import { hasBuiltInPricing, isOpenAIOwnAPI } from '../src/config/provider-types.js';
import { normalizeSdkError } from './sdk-errors.js';
import { toAbortSignal } from '../src/gateway/cancel-signal.js';

const OFFICIAL_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI-only settings (rule of three: nothing here is shared with other vendors). */
const openAIExtraSchema = z.object({ organization: z.string().optional() }).loose();

/**
 * OpenAI, and any OpenAI-compatible server through `baseURL` (vLLM, LM Studio, llama.cpp server,
 * OpenRouter), through the official SDK; `passThrough` is the OpenAI-compatible API's fast path
 * (openai-pass-through.ts). SDK retries are off: the gateway owns retries so that none bypasses the limiter.
 */
export const createOpenAIProvider: ProviderFactory = (options) => {
  const extra = openAIExtraSchema.parse(options.extra ?? {});
  const official = isOpenAIOwnAPI(options.baseURL);
  // Compatible servers often need no key; the SDK insists on one, so send a placeholder there. Not when the
  // config named a key whose environment variable is unset: that provider is configured but cannot be called.
  const apiKey = options.apiKey ?? (official || options.missingApiKeyEnv ? undefined : 'none');
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
  const http = new OpenAIHttp({
    baseURL: options.baseURL ?? OFFICIAL_BASE_URL,
    apiKey: apiKey ?? 'missing',
    organization: extra.organization,
    headers: options.headers,
    timeoutMs: options.timeoutMs ?? 600_000,
  });

  const provider: LanguageModelProvider = {
    name: options.name,
    type: 'openai',
    // OpenAI admits a request against its TPM limit at prompt + max_tokens, whatever is generated.
    limitAccounting: official ? 'prompt-plus-max-tokens' : 'actual-usage',
    openAITokenizer: official,
    builtInPricing: hasBuiltInPricing('openai', options.baseURL),

    // Every parameter of OpenAI's API is passed as it is: this is the API agentd's is modelled on.
    check(): void {},

    passThrough: createOpenAIPassThrough(http, {
      official,
      ensureKey,
      normalize: (error) => normalize(options.name, error),
    }),

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      try {
        const body = {
          ...openAIBody(request, official),
          stream: false,
        } as unknown as ChatCompletionCreateParamsNonStreaming;
        const { data, response } = await client.chat.completions
          .create(body, { signal: toAbortSignal(callOptions.signal) })
          .withResponse();
        return chatResultFrom(data as WireCompletion, headersToRecord(response.headers));
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
        return client.chat.completions.create(body, { signal: toAbortSignal(callOptions.signal) }).withResponse();
      };
      const { data: chunks, response } = await open().catch((error: unknown) => {
        throw normalize(options.name, error);
      });
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        try {
          yield* partsFrom(chunks as AsyncIterable<WireChunk>, request.model);
        } catch (error) {
          throw normalize(options.name, error);
        }
      }
      return { headers: headersToRecord(response.headers), parts: parts() };
    },

    async embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResult> {
      ensureKey();
      try {
        const { data, response } = await client.embeddings
          .create(embedBody(request), { signal: toAbortSignal(callOptions.signal) })
          .withResponse();
        return embedResultFrom(data as WireEmbeddings, headersToRecord(response.headers));
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async listModels(callOptions: CallOptions = {}): Promise<string[]> {
      ensureKey();
      try {
        const ids: string[] = [];
        // The page iterator follows the pagination of servers that have it; most answer in one page.
        for await (const model of client.models.list({ signal: toAbortSignal(callOptions.signal) })) ids.push(model.id);
        return ids;
      } catch (error) {
        throw normalize(options.name, error);
      }
    },
  };
  return provider;
};

function normalize(provider: string, error: unknown): Error {
  return normalizeSdkError(provider, error, OpenAI, (apiError) => ({
    code: apiError.code ?? apiError.type ?? undefined,
    message: (apiError.error as { message?: string } | undefined)?.message ?? apiError.message,
  }));
}
