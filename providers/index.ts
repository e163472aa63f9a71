import type { ResolvedProviderConfig } from '../src/config/load-config.js';
import type { LanguageModelProvider, ProviderFactory } from '../src/gateway/language-model.js';
import { createAnthropicProvider } from './anthropic.js';
import { createOllamaProvider } from './ollama.js';
import { nodeFetch } from './node-fetch.js';
import { createOpenAIProvider } from './openai.js';

/** The built-in providers by config `type`. */
export const providerFactories: Readonly<Record<ResolvedProviderConfig['type'], ProviderFactory>> = {
  openai: createOpenAIProvider,
  anthropic: createAnthropicProvider,
  ollama: createOllamaProvider,
};

/** Builds every configured provider, on `nodeFetch` (node-fetch.ts) unless a `fetch` is given (tests). */
export function createProviders(configs: Readonly<Record<string, ResolvedProviderConfig>>, options: { fetch?: typeof fetch } = {}): Map<string, LanguageModelProvider> {
  const providers = new Map<string, LanguageModelProvider>();
  for (const [name, config] of Object.entries(configs)) {
    const { type, apiKey, baseURL, headers, timeoutMs, missingEnv, limits: _limits, ...extra } = config;
    providers.set(
      name,
      providerFactories[type]({ name, apiKey, baseURL, headers, timeoutMs, missingApiKeyEnv: missingEnv.apiKey, extra, fetch: options.fetch ?? nodeFetch }),
    );
  }
  return providers;
}
