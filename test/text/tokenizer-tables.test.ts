import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countTokens } from '../../src/text/token-count.js';
import { releaseTokenizer, TOKENIZER_IDLE_MS, tokenizerLoaded } from '../../src/text/tokenizer-tables.js';

const cachedTokenizerModules = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((key) => key.includes('/gpt-tokenizer/'));

describe('the o200k tokenizer tables', () => {
  afterEach(() => {
    releaseTokenizer();
    vi.useRealTimers();
  });

  it('are loaded by the first count and released after a quiet period, then loaded again', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    releaseTokenizer();
    expect(tokenizerLoaded()).toBe(false);
    const count = countTokens('The barrier opened on Tuesday.');
    expect(tokenizerLoaded()).toBe(true);
    expect(cachedTokenizerModules().length).toBeGreaterThan(0);

    vi.advanceTimersByTime(TOKENIZER_IDLE_MS - 1);
    // A count within the period starts it again.
    countTokens('again');
    vi.advanceTimersByTime(TOKENIZER_IDLE_MS - 1);
    expect(tokenizerLoaded()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(tokenizerLoaded()).toBe(false);
    // Nothing keeps the tables reachable from require's cache.
    expect(cachedTokenizerModules()).toEqual([]);

    expect(countTokens('The barrier opened on Tuesday.')).toBe(count);
    expect(tokenizerLoaded()).toBe(true);
  });
});
