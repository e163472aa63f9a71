import { o200kEncoder } from './tokenizer-tables.js';

/** Text such as "<|endoftext|>" in a web page is plain text to us, never a control token. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

/**
 * Exact o200k_base token count of a text, special-token text included as plain text. The tables load on the
 * first count and leave after a quiet period (`tokenizer-tables.ts`).
 */
export function countTokens(text: string): number {
  return o200kEncoder()(text, AS_PLAIN_TEXT).length;
}
