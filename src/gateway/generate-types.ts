import type { EmitEvent } from '../types/run-events.js';
import type { CallWarning, ChatChoice, ChatRequest, ChatStreamPart, FinishReason, ToolCall } from './language-model.js';
import type { CancelSignal } from './cancel-signal.js';

/**
 * What callers of the gateway send and get back, in agentd's model names (`provider/model`). The gateway
 * (gateway.ts) implements them; routes, runs and actions depend on these types only.
 */

/** Output tokens the limiter and the budget reserve when a caller sets no cap (the provider's usage settles it). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

/** A gateway request, in agentd's model names (`provider/model`); the other fields are the provider request's. */
export interface GenerateRequest extends Omit<ChatRequest, 'model'> {
  /** `provider/model`; absent: `models.actions[action]`, else `models.default`. */
  model?: string | undefined;
}

/** Who is calling, for fairness, budgets, the ledger and events. */
export interface CallContext {
  runId?: string | undefined;
  action?: string | undefined;
  /** The fairness flow; defaults to the run id, else `api`. */
  flow?: string | undefined;
  /** The run's budget in USD. */
  budgetUsd?: number | undefined;
  signal?: CancelSignal | undefined;
  /** Receives `llm-call` and `llm-wait` events. */
  emit?: EmitEvent | undefined;
  /**
   * The caller is the OpenAI-compatible API: the provider's `passThrough` makes the call when it has one (the
   * same request, result and errors, without the SDK's per-call work). Limits, budget, retries and the ledger
   * are the same either way.
   */
  passThrough?: boolean | undefined;
}

/** Where a call's time went, for the API's `x-agentd-queue-ms` and `x-agentd-overhead-ms` headers. */
export interface CallTiming {
  /** Waiting for the limiter, 429 pauses and retry backoff. */
  queuedMs: number;
  /** Inside the provider call (for a stream: until its response headers). */
  providerMs: number;
}

export interface GenerateResult {
  /** The first choice's text. */
  text: string;
  /** The first choice's tool calls. */
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Every choice, the first being `text`, `toolCalls` and `finishReason`. */
  choices: ChatChoice[];
  /** `provider/model`. */
  model: string;
  /** The counts, and an OpenAI-type provider's usage details (`ChatUsage.openAIDetails`). */
  usage: { promptTokens: number; completionTokens: number; openAIDetails?: Record<string, unknown> | undefined };
  /** An OpenAI-type answer's own top-level fields (`ChatResult.openAIFields`). */
  openAIFields?: Record<string, unknown> | undefined;
  costUsd: number;
  costUnknown: boolean;
  attempts: number;
  timing: CallTiming;
  /** Settings the provider emulated or filled in (Anthropic's JSON mode, its required max_tokens); empty when none. */
  warnings?: CallWarning[];
}

/** A stream's parts, without the final one: `result` carries the usage. */
export type GenerateStreamPart = Exclude<ChatStreamPart, { type: 'finish' }>;

export interface StreamResult {
  model: string;
  /**
   * To be read: the call holds its limiter place and budget until its reader reaches the end or leaves the loop
   * (an async generator runs nothing, its clean-up included, before its first part is asked for).
   */
  parts: AsyncIterable<GenerateStreamPart>;
  /** Until the provider's response headers arrived. */
  timing: CallTiming;
  /** Settles once the stream has been read to the end; its `text` and `choices` are empty (they were streamed). */
  result: Promise<GenerateResult>;
}

/** Embeddings through the gateway, in agentd's model names. */
export interface EmbedGenerateRequest {
  model: string;
  input: string[];
  dimensions?: number | undefined;
  /** OpenAI's end-user id, for OpenAI-type providers. */
  user?: string | undefined;
}

export interface EmbedGenerateResult {
  embeddings: number[][];
  /** `provider/model`. */
  model: string;
  usage: { promptTokens: number };
  costUsd: number;
  timing: CallTiming;
}
