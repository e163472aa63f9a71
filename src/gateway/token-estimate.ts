import { createRequire } from 'node:module';
import type { ChatMessage } from './language-model.js';

type Encode = (text: string, options: { disallowedSpecial: Set<string>; allowedSpecial: Set<string> }) => number[];
let encode: Encode | undefined;

/**
 * The o200k_base tables weigh about 60 MB once loaded, so they are loaded on the first count, not at start:
 * a daemon that only proxies Ollama or Anthropic never needs them. `require` keeps the count synchronous.
 */
function encoder(): Encode {
  encode ??= (createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { encode: Encode }).encode;
  return encode;
}

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
    total += PER_MESSAGE_OVERHEAD + (exact ? countTokens(message.content) : Math.ceil(message.content.length / 3));
  }
  return total;
}

/** Exact o200k_base token count of a text, special-token text included as plain text. */
export function countTokens(text: string): number {
  return encoder()(text, AS_PLAIN_TEXT).length;
}
