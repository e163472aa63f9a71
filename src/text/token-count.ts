import { createRequire } from 'node:module';

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

/** Text such as "<|endoftext|>" in a web page is plain text to us, never a control token. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

/** Exact o200k_base token count of a text, special-token text included as plain text. */
export function countTokens(text: string): number {
  return encoder()(text, AS_PLAIN_TEXT).length;
}
