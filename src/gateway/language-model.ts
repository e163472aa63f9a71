import type { CancelSignal } from './cancel-signal.js';

/**
 * The provider interface: what the gateway needs from an LLM vendor, and nothing more. Implementations live in
 * `providers/` (one per vendor SDK); nothing under `src/` imports a vendor SDK.
 */

/** A piece of a user message: text, an image (an http(s) or `data:` URL), or an OpenAI-only part passed as it is. */
export type ChatContentPart =
  | {
      type: 'text';
      text: string;
      /**
       * A prompt-cache breakpoint (`cache_control`, Anthropic's own field, which OpenRouter takes in OpenAI's
       * format too): OpenAI-type providers get it as sent, Anthropic as its own, the others refuse it.
       */
      cacheControl?: Record<string, unknown> | undefined;
    }
  | { type: 'image'; url: string; detail?: 'auto' | 'low' | 'high' | undefined }
  | { type: 'openai'; part: Record<string, unknown> };

/** A call of a tool by the model. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model wrote. */
  arguments: string;
}

/** A tool the model may call: a function with a JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  parameters?: Record<string, unknown> | undefined;
  strict?: boolean | undefined;
}

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The text; for a message with `parts`, the text of its text parts. */
  content: string;
  /** The content in order, when it has more than text (a user's images; OpenAI-only parts, `type: 'openai'`). */
  parts?: ChatContentPart[] | undefined;
  /** The participant's name (OpenAI's `name`). */
  name?: string | undefined;
  /**
   * A system message the client sent as OpenAI's `developer` (its newer name for system instructions): the
   * official API gets that role back; compatible servers, which mostly know only `system`, and other providers
   * get a system message.
   */
  developer?: true | undefined;
  /** An assistant message's tool calls. */
  toolCalls?: ToolCall[] | undefined;
  /** A tool message: the call it answers. */
  toolCallId?: string | undefined;
  /** OpenAI-only message fields (`audio`, `refusal`, `function_call`), passed as they are by OpenAI-type providers. */
  openAIFields?: Record<string, unknown> | undefined;
}

/** Plain text, any JSON object, or JSON valid against a schema. */
export type ResponseFormat =
  | 'text'
  | 'json'
  | {
      type: 'json-schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string | undefined;
      strict?: boolean | undefined;
    };

/**
 * A chat request in the provider's own model id (the gateway strips the `provider/` prefix). What a provider
 * cannot honour it refuses in `check` with a `BadRequestError` naming the parameter, never drops.
 */
export interface ChatRequest {
  /** The provider's model id, e.g. `gpt-4o-mini`. */
  model: string;
  messages: ChatMessage[];
  /** The cap on output tokens; absent, none is sent where the API allows it (the limiter reserves an estimate). */
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  stop?: string[] | undefined;
  seed?: number | undefined;
  presencePenalty?: number | undefined;
  frequencyPenalty?: number | undefined;
  responseFormat?: ResponseFormat | undefined;
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  parallelToolCalls?: boolean | undefined;
  /**
   * Parameters only OpenAI's API has (`n`, `logprobs`, `logit_bias`, `user`, `reasoning_effort`, ...), by their
   * OpenAI names: OpenAI-type providers pass them as they are, the others translate or refuse each one.
   */
  openAIOptions?: Record<string, unknown> | undefined;
}

/** Why the model stopped. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

/** Tokens as the provider reported them. */
export interface ChatUsage {
  /** Every prompt token, cached ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  outputTokens: number;
  /**
   * The prompt tokens weighted as the provider bills them, when that differs from `inputTokens` at the input
   * price: Anthropic bills cache writes at 1.25 times (2 times for a one-hour cache) and cache reads at 0.1.
   */
  billedInputTokens?: number | undefined;
  /** The prompt tokens the provider's rate limits count, when not all: Anthropic's leave out cache reads. */
  limitedInputTokens?: number | undefined;
  /**
   * The prompt tokens an OpenAI-type provider read from its prompt cache (`prompt_tokens_details.cached_tokens`),
   * part of `inputTokens`: priced at the price's `cachedInput` (src/gateway/pricing.ts).
   */
  cachedInputTokens?: number | undefined;
  /**
   * OpenAI's usage fields beyond the counts (`prompt_tokens_details.cached_tokens`,
   * `completion_tokens_details.reasoning_tokens`...), as an OpenAI-type provider sent them: passed on to the
   * API's clients. Built by `chatUsage` (src/gateway/chat-usage.ts), which sets every field.
   */
  openAIDetails?: Record<string, unknown> | undefined;
}

/** One answer of the model (a request with `n` above 1 has several). */
export interface ChatChoice {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** OpenAI-only fields of the choice and its message (`logprobs`, `refusal`, `annotations`, `audio`), as sent. */
  openAIFields?: Record<string, unknown> | undefined;
}

/** A finished, non-streamed answer. */
/**
 * A setting the provider could not honour as asked, and what it did instead (vercel/ai's call warnings): the
 * call went through, but the caller may want to know its answer was shaped differently.
 */
export interface CallWarning {
  /** `emulated`: done another way (a JSON mode by instruction); `defaulted`: a value the vendor requires was set. */
  type: 'emulated' | 'defaulted';
  /** The request setting, in OpenAI's name (`response_format`, `max_tokens`). */
  setting: string;
  details: string;
}

export interface ChatResult {
  /** Settings the provider emulated or filled in; absent when none. */
  warnings?: CallWarning[];
  /** At least one; the first is the answer. */
  choices: ChatChoice[];
  usage: ChatUsage;
  /** The model that answered, as the provider names it. */
  model: string;
  /** Response headers, lower-cased: the limiter reads the rate-limit ones. */
  headers: Record<string, string>;
  /** An OpenAI-type answer's own top-level fields (`system_fingerprint`, `service_tier`...), passed on as sent. */
  openAIFields?: Record<string, unknown> | undefined;
}

/**
 * A piece of a streamed answer; `choice` is the answer's index (0 unless `n` is above 1). The last part is
 * always `finish`, carrying the first choice's reason and the usage of the whole call.
 */
export type ChatStreamPart =
  | { type: 'text-delta'; choice: number; text: string }
  | {
      type: 'tool-call-delta';
      choice: number;
      index: number;
      id?: string | undefined;
      name?: string | undefined;
      argumentsDelta: string;
    }
  /** OpenAI-only fields of one chunk's choice (`logprobs`, `refusal`), as sent. */
  | { type: 'openai-delta'; choice: number; fields: Record<string, unknown> }
  | { type: 'choice-finish'; choice: number; finishReason: FinishReason }
  /**
   * An OpenAI-type stream's own top-level chunk fields (`system_fingerprint`, `service_tier`), as sent: once,
   * before the parts of the first chunk that carried them, and again only when they change.
   */
  | { type: 'openai-chunk-fields'; fields: Record<string, unknown> }
  | { type: 'finish'; finishReason: FinishReason; usage: ChatUsage; model: string };

/** A streamed answer: headers arrive with the response, before the first part. */
export interface ChatStream {
  /** Settings the provider emulated or filled in; absent when none. */
  warnings?: CallWarning[];
  headers: Record<string, string>;
  parts: AsyncIterable<ChatStreamPart>;
}

export interface CallOptions {
  /** Aborts the HTTP request. */
  signal?: CancelSignal | undefined;
}

/**
 * How a provider charges a request against its tokens-per-minute limit. OpenAI counts the prompt plus
 * `max_tokens` when it admits the request; Anthropic and most others count what was actually used.
 */
export type LimitAccounting = 'prompt-plus-max-tokens' | 'actual-usage';

/** An LLM provider, created from `ProviderOptions`. Errors are thrown as `ProviderError` (src/errors.ts). */
export interface LanguageModelProvider {
  /** The provider's name in the config (`providers.<name>`). */
  readonly name: string;
  /** The vendor: `openai`, `anthropic`, `ollama`. */
  readonly type: string;
  readonly limitAccounting: LimitAccounting;
  /** Whether prompt tokens can be counted exactly with an OpenAI tokenizer (o200k/cl100k). */
  readonly openAITokenizer: boolean;
  /** Whether the built-in price list applies (the vendor's own API, not a compatible server). */
  readonly builtInPricing: boolean;
  /** Throws a `BadRequestError` naming the first parameter of `request` this provider cannot honour. */
  check(request: ChatRequest): void;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  stream(request: ChatRequest, options?: CallOptions): Promise<ChatStream>;
  /**
   * The models the provider offers, as its own ids (no `provider/` prefix). Free of charge: it generates
   * nothing. Optional, since not every server can list its models. Errors are thrown as `ProviderError`.
   */
  listModels?(options?: CallOptions): Promise<string[]>;
  /** Embeds texts; absent for providers without an embeddings API. */
  embed?(request: EmbedRequest, options?: CallOptions): Promise<EmbedResult>;
  /** As `check`, for `embed`: a parameter its embeddings API cannot honour is refused before any limit is spent. */
  checkEmbed?(request: EmbedRequest): void;
  /**
   * The OpenAI-compatible API's fast path (optional; providers that speak OpenAI's wire format): the same calls
   * as `chat`, `stream` and `embed`, with the same requests, results and errors, sent without the vendor SDK's
   * per-call work. The gateway uses it only for the API's calls (`CallContext.passThrough`); runs keep the SDK.
   */
  readonly passThrough?: PassThroughCalls;
}

/** A provider's pass-through calls: `chat`, `stream` and `embed` as the provider itself has them. */
export type PassThroughCalls = Pick<LanguageModelProvider, 'chat' | 'stream' | 'embed'>;

/** An embeddings request in the provider's own model id. */
export interface EmbedRequest {
  model: string;
  input: string[];
  /** Output dimensions, for models that can shorten their vectors. */
  dimensions?: number | undefined;
  /** OpenAI's end-user id; a provider without one refuses it (`checkEmbed`). */
  user?: string | undefined;
}

export interface EmbedResult {
  /** One vector per input, in order. */
  embeddings: number[][];
  inputTokens: number;
  model: string;
  headers: Record<string, string>;
}

/** What every provider is built from, like vercel/ai's `OpenAIConfig`. Vendor-only settings stay in their module. */
export interface ProviderOptions {
  name: string;
  baseURL?: string | undefined;
  /** Absent: the provider fails when called, naming `missingApiKeyEnv` if the config referred to one. */
  apiKey?: string | undefined;
  /** The environment variable the config named for the key, when it was unset. */
  missingApiKeyEnv?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** @default 600000 */
  timeoutMs?: number | undefined;
  /**
   * A fetch to use instead of the global one (tests, proxies), for the SDK's calls; a provider's `passThrough`
   * (the OpenAI provider's, on node:http) does not use it.
   */
  fetch?: typeof fetch | undefined;
  /** Vendor-specific options from the config (validated by the provider). */
  extra?: Record<string, unknown>;
}

export type ProviderFactory = (options: ProviderOptions) => LanguageModelProvider;
