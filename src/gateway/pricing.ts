import { isLocalProviderType } from '../config/provider-types.js';

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  /**
   * Prompt tokens read from an OpenAI-type provider's prompt cache (`prompt_tokens_details.cached_tokens`);
   * without it they cost the input price. Anthropic's cache is weighed by the provider (`billedInputTokens`).
   */
  cachedInput?: number;
}

/**
 * Built-in list prices of common OpenAI and Anthropic models, USD per million tokens. Matched by the longest
 * prefix, so dated ids (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) find their family. Config
 * `pricing` overrides these. OpenAI's models that cache prompts bill the cached part at a tenth (gpt-5), a
 * quarter (gpt-4.1, o3, o4-mini) or half (gpt-4o, o1, o1-mini, o3-mini) of the input price.
 */
const BUILT_IN: ReadonlyArray<readonly [string, Price]> = [
  ['gpt-5-nano', { input: 0.05, output: 0.4, cachedInput: 0.005 }],
  ['gpt-5-mini', { input: 0.25, output: 2, cachedInput: 0.025 }],
  ['gpt-5', { input: 1.25, output: 10, cachedInput: 0.125 }],
  ['gpt-4.1-nano', { input: 0.1, output: 0.4, cachedInput: 0.025 }],
  ['gpt-4.1-mini', { input: 0.4, output: 1.6, cachedInput: 0.1 }],
  ['gpt-4.1', { input: 2, output: 8, cachedInput: 0.5 }],
  ['gpt-4o-mini', { input: 0.15, output: 0.6, cachedInput: 0.075 }],
  ['gpt-4o', { input: 2.5, output: 10, cachedInput: 1.25 }],
  ['gpt-4-turbo', { input: 10, output: 30 }],
  ['gpt-4', { input: 30, output: 60 }],
  ['gpt-3.5-turbo', { input: 0.5, output: 1.5 }],
  ['o4-mini', { input: 1.1, output: 4.4, cachedInput: 0.275 }],
  ['o3-mini', { input: 1.1, output: 4.4, cachedInput: 0.55 }],
  ['o3', { input: 2, output: 8, cachedInput: 0.5 }],
  ['o1-mini', { input: 1.1, output: 4.4, cachedInput: 0.55 }],
  ['o1', { input: 15, output: 60, cachedInput: 7.5 }],
  ['claude-opus-4', { input: 15, output: 75 }],
  ['claude-sonnet-4', { input: 3, output: 15 }],
  ['claude-haiku-4-5', { input: 1, output: 5 }],
  ['claude-3-7-sonnet', { input: 3, output: 15 }],
  ['claude-3-5-sonnet', { input: 3, output: 15 }],
  ['claude-3-5-haiku', { input: 0.8, output: 4 }],
  ['claude-3-opus', { input: 15, output: 75 }],
  ['claude-3-haiku', { input: 0.25, output: 1.25 }],
];

/** Where a price came from: `free` for local models, `unknown` when nothing matched. */
export type PriceLookup = { kind: 'known'; price: Price } | { kind: 'free' } | { kind: 'unknown' };

export class PriceList {
  readonly #overrides: ReadonlyMap<string, Price>;

  /** @param overrides config `pricing`, keyed `provider/model`. */
  constructor(overrides: Readonly<Record<string, Price>>) {
    this.#overrides = new Map(Object.entries(overrides));
  }

  /**
   * The price of `provider/model`. Config first; then, for a vendor's own API, the built-in list; a local
   * provider (Ollama) is free; anything else is unknown, which the ledger flags rather than counting as 0.
   */
  lookup(provider: { name: string; type: string; builtInPricing: boolean }, model: string): PriceLookup {
    const override = this.#overrides.get(`${provider.name}/${model}`);
    if (override) return { kind: 'known', price: override };
    if (isLocalProviderType(provider.type)) return { kind: 'free' };
    if (!provider.builtInPricing) return { kind: 'unknown' };
    const match = BUILT_IN.filter(([prefix]) => model === prefix || model.startsWith(`${prefix}-`)).sort(
      (a, b) => b[0].length - a[0].length,
    )[0];
    return match ? { kind: 'known', price: match[1] } : { kind: 'unknown' };
  }
}

/**
 * Cost in USD of the given tokens at a price; 0 for free or unknown prices (the caller flags unknown).
 * `cachedInputTokens` are part of `inputTokens`, priced at `cachedInput` where the price has one.
 */
export function costOf(lookup: PriceLookup, inputTokens: number, outputTokens: number, cachedInputTokens = 0): number {
  if (lookup.kind !== 'known') return 0;
  const { input, output, cachedInput = input } = lookup.price;
  const cached = Math.min(cachedInputTokens, inputTokens);
  const micros = (inputTokens - cached) * input + cached * cachedInput + outputTokens * output;
  // To the millionth of a micro-dollar, as the ledger's totals (cost-ledger.ts `addUsd`): no binary noise.
  return Math.round(micros * 1e6) / 1e12;
}
