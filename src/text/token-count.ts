import { setImmediate as nextTurn } from 'node:timers/promises';
import { o200kEncoder } from './tokenizer-tables.js';

/** Text such as "<|endoftext|>" in a web page is plain text to us, never a control token. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

/**
 * Longest stretch of counting between two turns of the event loop in `TokenCounter`. Counting runs on the
 * daemon's thread, beside the proxy's calls: a 1 MB page took 0.2-0.5 s in one go, up to 1.7 s on a loaded
 * machine, and every request waited meanwhile.
 * @default 10
 */
export const COUNT_SLICE_MS = 10;

/** Texts up to this length are counted in one go by `TokenCounter`: well under a millisecond. */
const ONE_GO_CHARACTERS = 4_096;

/** Pieces (words, about a token each) counted between two looks at the clock. */
const PIECES_PER_LOOK = 256;

/**
 * Exact o200k_base token count of a text, special-token text included as plain text, in one synchronous go:
 * for texts of bounded size (a prompt, a focused context). A page of unknown size goes through
 * `countTokensSliced`, or `tokensWithin` when only a limit matters. The tables load on the first count and
 * leave after a quiet period (`tokenizer-tables.ts`).
 */
export function countTokens(text: string): number {
  return o200kEncoder().countTokens(text, AS_PLAIN_TEXT);
}

/**
 * The exact count of `text` when it holds at most `limit` tokens, else `false`; it stops at the first token
 * past the limit, so a 1 MB page checked against a 2,500-token budget costs about 2,500 tokens of work.
 */
export function tokensWithin(text: string, limit: number): number | false {
  return o200kEncoder().isWithinTokenLimit(text, limit, AS_PLAIN_TEXT);
}

/** The exact count of a text of any size, counted in slices of `COUNT_SLICE_MS` with the event loop between. */
export function countTokensSliced(text: string): Promise<number> {
  return new TokenCounter().count(text);
}

/**
 * Exact counts of many texts (a page's passages) or of large ones, in slices of at most about
 * `COUNT_SLICE_MS` of work each, yielding to the event loop between slices: the same counts as
 * `countTokens`, without holding up the daemon's other requests. One counter shares its slice across the
 * texts it counts, so small texts do not each pay for a turn of the loop.
 */
export class TokenCounter {
  readonly #sliceMs: number;
  #sliceStart = performance.now();

  constructor(options: { sliceMs?: number } = {}) {
    this.#sliceMs = options.sliceMs ?? COUNT_SLICE_MS;
  }

  async count(text: string): Promise<number> {
    if (text.length <= ONE_GO_CHARACTERS) {
      const tokens = countTokens(text);
      await this.pause();
      return tokens;
    }
    let tokens = 0;
    let pieces = 0;
    // The generator yields the tokens of one pre-tokenizer piece at a time: the count is the same as in one go.
    for (const piece of o200kEncoder().encodeGenerator(text, AS_PLAIN_TEXT)) {
      tokens += piece.length;
      pieces += 1;
      if (pieces % PIECES_PER_LOOK === 0) await this.pause();
    }
    await this.pause();
    return tokens;
  }

  /** Gives the event loop a turn when the current slice has used its time; other callers' work counts too. */
  async pause(): Promise<void> {
    if (performance.now() - this.#sliceStart < this.#sliceMs) return;
    await nextTurn();
    this.#sliceStart = performance.now();
  }
}
