import OpenAI from 'openai';
import { z } from 'zod';
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
import { OpenAIHttp } from './openai-http.js';
import { choiceFromOpenAI, openAIBody, partsFromOpenAIChunk } from './openai-wire.js';
import { missingKeyError } from '../src/gateway/provider-errors.js';
import { normalizeSdkError } from './sdk-errors.js';

const OFFICIAL_BASE_URL = 'https://api.openai.com/v1';

/** OpenAI-only settings (rule of three: nothing here is shared with other vendors). */
const openAIExtraSchema = z.object({ organization: z.string().optional() }).loose();

/** What the provider reads of a chat completion. */
interface WireCompletion {
  model: string;
  choices: Array<{ index: number }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

/** What the provider reads of a streamed chunk; `error` is how a server reports a failure mid-stream. */
interface WireChunk {
  model?: string;
  choices: Array<{ index: number }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: unknown;
}

/** What the provider reads of an embeddings answer. */
interface WireEmbeddings {
  model: string;
  data: Array<{ index: number; embedding: number[] }>;
  usage?: { prompt_tokens: number } | null;
}

/**
 * OpenAI, and any OpenAI-compatible server through `baseURL` (vLLM, LM Studio, llama.cpp server,
 * OpenRouter). Chat completions and embeddings go out through `OpenAIHttp` (openai-http.ts), the SDK's wire
 * format without its per-call cost; the model listing through the SDK (its pagination), on `options.fetch`.
 * No retries here: the gateway owns retries so that none bypasses the limiter.
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
  const http = new OpenAIHttp({
    baseURL: options.baseURL ?? OFFICIAL_BASE_URL,
    apiKey: apiKey ?? 'missing',
    organization: extra.organization,
    headers: options.headers,
    timeoutMs: options.timeoutMs ?? 600_000,
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
        const body = { ...openAIBody(request, official), stream: false };
        const { data, headers } = await http.postJson<WireCompletion>('chat/completions', body, callOptions.signal);
        const choices =
          data.choices.length > 0
            ? [...data.choices].sort((a, b) => a.index - b.index).map((choice) => choiceFromOpenAI(choice as never))
            : [{ text: '', toolCalls: [], finishReason: 'other' as const }];
        return {
          choices,
          usage: { inputTokens: data.usage?.prompt_tokens ?? 0, outputTokens: data.usage?.completion_tokens ?? 0 },
          model: data.model,
          headers,
        };
      } catch (error) {
        throw normalize(options.name, error);
      }
    },

    async stream(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatStream> {
      ensureKey();
      const { signal } = callOptions;
      // Usage is always asked for upstream: the ledger needs it whatever the client asked for.
      const body = { ...openAIBody(request, official), stream: true, stream_options: { include_usage: true } };
      const { data: events, headers } = await http
        .postEvents('chat/completions', body, signal)
        .catch((error: unknown) => {
          throw normalize(options.name, error);
        });
      async function* parts(): AsyncGenerator<ChatStreamPart> {
        let reason: FinishReason = 'other';
        let usage = { inputTokens: 0, outputTokens: 0 };
        let model = request.model;
        let done = false;
        try {
          for await (const data of events) {
            // Read to the end after [DONE], as the SDK does, so that the connection is reused.
            if (done) continue;
            if (data.startsWith('[DONE]')) {
              done = true;
              continue;
            }
            const chunk = JSON.parse(data) as WireChunk;
            // A server's error event mid-stream: the SDK's error without a status, as it threw it.
            if (chunk?.error) throw new OpenAI.APIError(undefined, chunk.error, undefined, undefined);
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
          // The body fails with a reset socket when the call is cancelled: that is a cancellation.
          throw normalize(options.name, signal?.aborted ? new OpenAI.APIUserAbortError() : error);
        }
        yield { type: 'finish', finishReason: reason, usage, model };
      }
      return { headers, parts: parts() };
    },

    async embed(request: EmbedRequest, callOptions: CallOptions = {}): Promise<EmbedResult> {
      ensureKey();
      try {
        const body = {
          model: request.model,
          input: request.input,
          encoding_format: 'float',
          ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
        };
        const { data, headers } = await http.postJson<WireEmbeddings>('embeddings', body, callOptions.signal);
        const embeddings = [...data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
        return { embeddings, inputTokens: data.usage?.prompt_tokens ?? 0, model: data.model, headers };
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
  return normalizeSdkError(provider, error, OpenAI, (apiError) => ({
    code: apiError.code ?? apiError.type ?? undefined,
    message: (apiError.error as { message?: string } | undefined)?.message ?? apiError.message,
  }));
}
