import { o200kEncoder } from '../text/tokenizer-tables.js';
import type { ChatMessage, ChatRequest } from './language-model.js';

/** What one image costs at most in OpenAI's accounting for a 1024 px tile set, rounded up; others count fewer. */
const IMAGE_TOKENS = 1_600;

/** Tokens OpenAI adds around each message and to prime the reply (its cookbook's count for chat models). */
const PER_MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;
/** Text such as "<|endoftext|>" in a web page is plain text to us, never a control token. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

/**
 * Estimates prompt tokens before a call. With an OpenAI tokenizer (o200k_base, as gpt-4o and later use) the
 * count is exact up to the message framing; for other vendors, whose tokenizers we do not have, it is
 * deliberately high (one token per 3 characters) so a reservation never undershoots the provider's count.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[], exact: boolean): number {
  let total = REPLY_PRIMING;
  for (const message of messages) {
    const calls = message.toolCalls?.map((call) => `${call.name}${call.arguments}`).join('') ?? '';
    const text = calls === '' ? message.content : `${message.content}${calls}`;
    const images = message.parts?.filter((part) => part.type !== 'text').length ?? 0;
    total += PER_MESSAGE_OVERHEAD + images * IMAGE_TOKENS + (exact ? countTokens(text) : Math.ceil(text.length / 3));
  }
  return total;
}

/** Tool definitions and a response schema are part of the prompt too (as JSON, roughly). */
export function estimateToolTokens(request: Pick<ChatRequest, 'tools' | 'responseFormat'>): number {
  const schema = typeof request.responseFormat === 'object' ? JSON.stringify(request.responseFormat.schema) : '';
  const tools = request.tools ? JSON.stringify(request.tools) : '';
  return Math.ceil((schema.length + tools.length) / 3);
}

/** Exact o200k_base token count of a text, special-token text included as plain text. */
export function countTokens(text: string): number {
  return o200kEncoder()(text, AS_PLAIN_TEXT).length;
}
