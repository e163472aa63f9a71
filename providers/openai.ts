import OpenAI from 'openai';
import { z } from 'zod';
import { ProviderError } from '../src/errors.js';
import type { CallOptions, ChatRequest, ChatResult, ChatStream, ChatStreamPart, FinishReason, LanguageModelProvider, ProviderFactory } from '../src/gateway/language-model.js';
import { abortError, headersToRecord, missingKeyError, providerHttpError, providerNetworkError } from '../src/gateway/provider-errors.js';

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

  const body = (request: ChatRequest) => ({
    model: request.model,
    messages: request.messages,
    // The official API wants max_completion_tokens (reasoning models refuse max_tokens); many compatible
    // servers only know max_tokens.
    ...(official ? { max_completion_tokens: request.maxOutputTokens } : { max_tokens: request.maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stop === undefined ? {} : { stop: request.stop }),
    ...(request.responseFormat === 'json' ? { response_format: { type: 'json_object' as const } } : {}),
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

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
      ensureKey();
      try {
        const { data, response } = await client.chat.completions.create({ ...body(request), stream: false }, { signal: callOptions.signal }).withResponse();
        const choice = data.choices[0];
        return {
          text: choice?.message.content ?? '',
          finishReason: finishReason(choice?.finish_reason),
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
      let opened;
      try {
        opened = await client.chat.completions
          .create({ ...body(request), stream: true, stream_options: { include_usage: true } }, { signal: callOptions.signal })
          .withResponse();
      } catch (error) {
        throw normalize(options.name, error);
      }
      const { data: chunks, response } = opened;
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let reason: FinishReason = 'other';
        let usage = { inputTokens: 0, outputTokens: 0 };
        let model = request.model;
        try {
          for await (const chunk of chunks) {
            model = chunk.model || model;
            const choice = chunk.choices[0];
            if (choice?.delta?.content) yield { type: 'text-delta', text: choice.delta.content };
            if (choice?.finish_reason) reason = finishReason(choice.finish_reason);
            if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
          }
        } catch (error) {
          throw normalize(options.name, error);
        }
        yield { type: 'finish', finishReason: reason, usage, model };
      }
      return { headers: headersToRecord(response.headers), parts: parts() };
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

function finishReason(reason: string | null | undefined): FinishReason {
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

function normalize(provider: string, error: unknown): Error {
  if (error instanceof ProviderError) return error;
  if (error instanceof OpenAI.APIUserAbortError) return abortError(error);
  if (error instanceof OpenAI.APIConnectionTimeoutError) return providerNetworkError(provider, error, true);
  if (error instanceof OpenAI.APIConnectionError) return providerNetworkError(provider, error, false);
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const body = error.error as { message?: string } | undefined;
    return providerHttpError(provider, error.status, error.code ?? error.type ?? undefined, body?.message ?? error.message, headersToRecord(error.headers), error);
  }
  if (error instanceof Error && error.name === 'AbortError') return abortError(error);
  return providerNetworkError(provider, error, false);
}
