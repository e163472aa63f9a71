/**
 * The provider interface: what the gateway needs from an LLM vendor, and nothing more. Implementations live in
 * `providers/` (one per vendor SDK); nothing under `src/` imports a vendor SDK.
 */

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A chat request in the provider's own model id (the gateway strips the `provider/` prefix). */
export interface ChatRequest {
  /** The provider's model id, e.g. `gpt-4o-mini`. */
  model: string;
  messages: ChatMessage[];
  /** The cap on output tokens. Always set: the limiter reserves it before the call. */
  maxOutputTokens: number;
  temperature?: number;
  /** `json` asks for a JSON object where the provider supports it (OpenAI json_object, Ollama format). */
  responseFormat?: 'text' | 'json';
  stop?: string[];
}

/** Why the model stopped. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'other';

/** Tokens as the provider reported them. */
export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

/** A finished, non-streamed answer. */
export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  usage: ChatUsage;
  /** The model that answered, as the provider names it. */
  model: string;
  /** Response headers, lower-cased: the limiter reads the rate-limit ones. */
  headers: Record<string, string>;
}

/** A piece of a streamed answer. The last part is always `finish`. */
export type ChatStreamPart = { type: 'text-delta'; text: string } | { type: 'finish'; finishReason: FinishReason; usage: ChatUsage; model: string };

/** A streamed answer: headers arrive with the response, before the first part. */
export interface ChatStream {
  headers: Record<string, string>;
  parts: AsyncIterable<ChatStreamPart>;
}

export interface CallOptions {
  /** Aborts the HTTP request. */
  signal?: AbortSignal | undefined;
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
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  stream(request: ChatRequest, options?: CallOptions): Promise<ChatStream>;
  /**
   * The models the provider offers, as its own ids (no `provider/` prefix). Free of charge: it generates
   * nothing. Optional, since not every server can list its models. Errors are thrown as `ProviderError`.
   */
  listModels?(options?: CallOptions): Promise<string[]>;
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
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch | undefined;
  /** Vendor-specific options from the config (validated by the provider). */
  extra?: Record<string, unknown>;
}

export type ProviderFactory = (options: ProviderOptions) => LanguageModelProvider;
