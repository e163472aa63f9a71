import { describe, expect, it } from 'vitest';
import { costOf, PriceList } from '../../src/gateway/pricing.js';
import { estimatePromptTokens } from '../../src/gateway/token-estimate.js';
import { countTokens } from '../../src/text/token-count.js';

const openai = { name: 'openai', type: 'openai', builtInPricing: true };

describe('prices', () => {
  it('finds a dated model id by its family, the longest prefix winning', () => {
    const prices = new PriceList({});
    expect(prices.lookup(openai, 'gpt-4o-2024-08-06')).toEqual({
      kind: 'known',
      price: { input: 2.5, output: 10, cachedInput: 1.25 },
    });
    expect(prices.lookup(openai, 'gpt-4o-mini-2024-07-18')).toEqual({
      kind: 'known',
      price: { input: 0.15, output: 0.6, cachedInput: 0.075 },
    });
    expect(
      prices.lookup({ name: 'claude', type: 'anthropic', builtInPricing: true }, 'claude-sonnet-4-5-20250929'),
    ).toEqual({ kind: 'known', price: { input: 3, output: 15 } });
  });

  it('makes Ollama free, leaves compatible servers unknown, and lets config override', () => {
    const prices = new PriceList({ 'vllm/qwen': { input: 0.1, output: 0.2 } });
    expect(prices.lookup({ name: 'local', type: 'ollama', builtInPricing: false }, 'llama3.1')).toEqual({
      kind: 'free',
    });
    expect(prices.lookup({ name: 'vllm', type: 'openai', builtInPricing: false }, 'gpt-4o')).toEqual({
      kind: 'unknown',
    });
    expect(prices.lookup({ name: 'vllm', type: 'openai', builtInPricing: false }, 'qwen')).toEqual({
      kind: 'known',
      price: { input: 0.1, output: 0.2 },
    });
  });

  it('computes cost per million tokens', () => {
    expect(costOf({ kind: 'known', price: { input: 2.5, output: 10 } }, 1_000_000, 500_000)).toBeCloseTo(7.5, 10);
    expect(costOf({ kind: 'unknown' }, 1000, 1000)).toBe(0);
  });

  it("bills an OpenAI model's cached prompt tokens at its cached price, and at the input price where there is none", () => {
    const gpt41 = new PriceList({}).lookup(openai, 'gpt-4.1-2025-04-14');
    expect(gpt41).toEqual({ kind: 'known', price: { input: 2, output: 8, cachedInput: 0.5 } });
    // 200k uncached at $2, 800k cached at $0.50, 10k out at $8.
    expect(costOf(gpt41, 1_000_000, 10_000, 800_000)).toBeCloseTo(0.4 + 0.4 + 0.08, 10);
    expect(costOf({ kind: 'known', price: { input: 1, output: 2 } }, 1_000_000, 0, 800_000)).toBeCloseTo(1, 10);
    // A server's count larger than the prompt never makes the prompt cost less than nothing.
    expect(costOf(gpt41, 100, 0, 1_000)).toBeCloseTo((100 * 0.5) / 1e6, 14);
  });
});

describe('prompt token estimates', () => {
  it('counts OpenAI tokens exactly and treats special-token text as plain text', () => {
    expect(countTokens('hello world')).toBe(2);
    // A page quoting "<|endoftext|>" must neither throw nor count it as one control token.
    expect(countTokens('before <|endoftext|> after')).toBeGreaterThan(3);
  });

  it('estimates other vendors high rather than low', () => {
    const messages = [{ role: 'user' as const, content: 'The quick brown fox jumps over the lazy dog. '.repeat(20) }];
    expect(estimatePromptTokens(messages, false)).toBeGreaterThan(estimatePromptTokens(messages, true));
  });
});
