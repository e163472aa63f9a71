import type { ChatMessage, FinishReason } from './language-model.js';

/**
 * What callers of the gateway send and get back, in agentd's model names (`provider/model`). The gateway
 * (gateway.ts) implements them; routes, runs and actions depend on these types only.
 */

/** Output tokens reserved when a caller does not say. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

/** A gateway request, in agentd's model names (`provider/model`). */
export interface GenerateRequest {
  /** `provider/model`; absent: `models.actions[action]`, else `models.default`. */
  model?: string | undefined;
  messages: ChatMessage[];
  /** @default 1024 */
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  responseFormat?: 'text' | 'json' | undefined;
  stop?: string[] | undefined;
}

/** Who is calling, for fairness, budgets, the ledger and events. */
export interface CallContext {
  runId?: string | undefined;
  action?: string | undefined;
  /** The fairness flow; defaults to the run id, else `api`. */
  flow?: string | undefined;
  /** The run's budget in USD. */
  budgetUsd?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Receives `llm-call` and `llm-wait` events. */
  emit?: ((type: 'llm-call' | 'llm-wait', data: Record<string, unknown>) => void) | undefined;
}

export interface GenerateResult {
  text: string;
  finishReason: FinishReason;
  /** `provider/model`. */
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  costUsd: number;
  costUnknown: boolean;
  attempts: number;
}

export interface StreamResult {
  model: string;
  textStream: AsyncIterable<string>;
  /** Settles once the stream has been read to the end. */
  result: Promise<GenerateResult>;
}

