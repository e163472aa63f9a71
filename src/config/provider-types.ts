/** What the code outside a provider's implementation needs to know of its type. */
interface ProviderTypeInfo {
  /** The model a provider of this type is given when the config names none. */
  defaultModel: string;
  /** Runs on this machine: free of charge, and needs no key. */
  local: boolean;
}

/**
 * The built-in provider types: the one list that the config schema (`schema.ts`), the defaults
 * (`load-config.ts`), the price list (`src/gateway/pricing.ts`), the model choice of `init`
 * (`src/setup/choose-model.ts`) and the implementations (`providers/index.ts`) are keyed by. Adding a type
 * here makes each of them fail to compile until it handles the type.
 */
export const PROVIDER_TYPES = {
  openai: { defaultModel: 'gpt-4o-mini', local: false },
  anthropic: { defaultModel: 'claude-haiku-4-5', local: false },
  ollama: { defaultModel: 'llama3.1', local: true },
} as const satisfies Readonly<Record<string, ProviderTypeInfo>>;

export type ProviderType = keyof typeof PROVIDER_TYPES;

/** The types in the order the config's error message names them. */
export const PROVIDER_TYPE_NAMES = Object.keys(PROVIDER_TYPES) as readonly ProviderType[];

/** Whether `type` is a built-in type that runs on this machine (Ollama): free, and no key needed. */
export function isLocalProviderType(type: string): boolean {
  return Object.hasOwn(PROVIDER_TYPES, type) && PROVIDER_TYPES[type as ProviderType].local;
}

/**
 * Whether an OpenAI-type provider is OpenAI's own API (no `baseURL`, or api.openai.com): only there do the
 * built-in prices and OpenAI's token accounting apply. Any other OpenAI-compatible service prices its own way.
 */
export function isOpenAIOwnAPI(baseURL: string | undefined): boolean {
  return !baseURL || new URL(baseURL).hostname === 'api.openai.com';
}

/**
 * Whether the built-in price list prices a provider's calls: Anthropic's and OpenAI's own API. An
 * OpenAI-compatible service at its own `baseURL` prices its own way, and local models are free; their calls
 * count $0 unless the config's `pricing` names them.
 */
export function hasBuiltInPricing(type: ProviderType, baseURL: string | undefined): boolean {
  return type === 'anthropic' || (type === 'openai' && isOpenAIOwnAPI(baseURL));
}
