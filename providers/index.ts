import type { ResolvedProviderConfig } from '../src/config/load-config.js';
import type { ProviderType } from '../src/config/provider-types.js';
import type { LanguageModelProvider, ProviderFactory } from '../src/gateway/language-model.js';
import { nodeFetch } from './node-fetch.js';

/**
 * The built-in providers by config `type`, each imported only when a provider of that type is configured:
 * the vendor SDKs weigh 7-23 MB each once loaded, and most daemons use one or two of them.
 */
export const providerFactories: Readonly<Record<ProviderType, () => Promise<ProviderFactory>>> = {
  openai: async () => (await import('./openai.js')).createOpenAIProvider,
  anthropic: async () => (await import('./anthropic.js')).createAnthropicProvider,
  ollama: async () => (await import('./ollama.js')).createOllamaProvider,
};

/** Builds every configured provider, on `nodeFetch` (node-fetch.ts) unless a `fetch` is given (tests). */
export async function createProviders(
  configs: Readonly<Record<string, ResolvedProviderConfig>>,
  options: { fetch?: typeof fetch } = {},
): Promise<Map<string, LanguageModelProvider>> {
  const providers = new Map<string, LanguageModelProvider>();
  for (const [name, config] of Object.entries(configs)) {
    const {
      type,
      apiKey,
      baseURL,
      headers,
      timeoutMs,
      missingEnv,
      origin: _origin,
      limits: _limits,
      ...extra
    } = config;
    const factory = await providerFactories[type]();
    providers.set(
      name,
      factory({
        name,
        apiKey,
        baseURL,
        headers,
        timeoutMs,
        missingApiKeyEnv: missingEnv.apiKey,
        extra,
        fetch: options.fetch ?? nodeFetch,
      }),
    );
  }
  return providers;
}
