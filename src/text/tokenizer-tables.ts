import { createRequire } from 'node:module';
import path from 'node:path';

/** How special-token text is read: agentd passes empty sets (plain text). */
export interface EncodeOptions {
  disallowedSpecial: Set<string>;
  allowedSpecial: Set<string>;
}

/** The part of gpt-tokenizer's o200k_base module agentd uses. */
export interface O200kEncoder {
  countTokens(text: string, options: EncodeOptions): number;
  /** `false` as soon as the text passes `limit` tokens, else its count: the cost is that of `limit` tokens at most. */
  isWithinTokenLimit(text: string, limit: number, options: EncodeOptions): false | number;
  /** The tokens one pre-tokenizer piece at a time, so that a caller can stop or pause between pieces. */
  encodeGenerator(text: string, options: EncodeOptions): Generator<number[], number, undefined>;
}

/**
 * How long the o200k_base tables stay loaded after the last count.
 * @default 60000
 */
export const TOKENIZER_IDLE_MS = 60_000;

const require = createRequire(import.meta.url);
/** Every module of the package lives under this directory (the CommonJS build, which `require` loads). */
const PACKAGE_DIRECTORY = `${path.sep}gpt-tokenizer${path.sep}`;

let encoder: O200kEncoder | undefined;
let releaseTimer: NodeJS.Timeout | undefined;

/**
 * The o200k_base encoder, loaded on first use and released after `TOKENIZER_IDLE_MS` without one. Its tables
 * weigh about 60 MB: not loaded at start (a daemon that only proxies Ollama or Anthropic never needs them),
 * and not kept for good by a daemon that counted tokens once (a research run, a call to OpenAI's own API).
 * `require` keeps the count synchronous.
 */
export function o200kEncoder(): O200kEncoder {
  encoder ??= require('gpt-tokenizer/encoding/o200k_base') as O200kEncoder;
  if (releaseTimer) releaseTimer.refresh();
  else {
    releaseTimer = setTimeout(releaseTokenizer, TOKENIZER_IDLE_MS);
    // The release must not keep a process (a CLI command, a worker thread) alive.
    releaseTimer.unref();
  }
  return encoder;
}

/**
 * Drops the encoder and takes the package's modules out of `require`'s cache, which is what holds the
 * tables; V8 then collects them at its next major GC, which it starts by itself at rest (about 30 s later
 * in a probe: 115 → 79 MB resident). The next count loads them again (a few hundred ms).
 */
export function releaseTokenizer(): void {
  if (releaseTimer) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  encoder = undefined;
  for (const key of Object.keys(require.cache)) if (key.includes(PACKAGE_DIRECTORY)) delete require.cache[key];
}

/** Whether the tables are loaded now (for tests and diagnostics). */
export function tokenizerLoaded(): boolean {
  return encoder !== undefined;
}
