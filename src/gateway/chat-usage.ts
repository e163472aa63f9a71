import type { ChatUsage } from './language-model.js';

/**
 * A `ChatUsage` with every field set, in one order, whichever provider reported it: one object shape where the
 * gateway settles every call (a field set by some providers only makes that code polymorphic).
 */
export function chatUsage(
  inputTokens: number,
  outputTokens: number,
  openAIDetails?: Record<string, unknown>,
  billedInputTokens?: number,
  limitedInputTokens?: number,
  cachedInputTokens?: number,
): ChatUsage {
  return { inputTokens, outputTokens, openAIDetails, billedInputTokens, limitedInputTokens, cachedInputTokens };
}
