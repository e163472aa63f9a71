import type { ProviderType } from '../config/provider-types.js';

/**
 * Cheap models that still follow instructions and answer JSON well, best first, per vendor. The first that
 * the provider lists is the default; a provider that lists none of them gets its first chat model.
 */
const CHEAP_CAPABLE: Record<ProviderType, readonly string[]> = {
  openai: ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini', 'gpt-4.1-nano'],
  anthropic: ['claude-haiku-4-5', 'claude-3-5-haiku-latest', 'claude-3-haiku-20240307'],
  // Small local models that fit a laptop, by how well they follow a JSON instruction.
  ollama: ['llama3.1', 'llama3.2', 'qwen2.5', 'qwen3', 'gemma3', 'mistral', 'phi4-mini', 'llama3.2:1b'],
};

/** The model a provider of this type is given when nothing is listed (its vendor's cheap default). */
export function fallbackModel(type: ProviderType): string {
  return CHEAP_CAPABLE[type][0] as string;
}

/** Models that cannot chat: embeddings, speech, images, moderation. */
const NOT_CHAT = /embed|whisper|tts|dall-e|moderation|transcribe|audio|image|realtime|search|bge|minilm/i;

/**
 * Picks the default model among the provider's listed ones: a cheap, capable one where listed (Ollama's
 * `name:tag` matching `name` or `name:latest`), else the first chat model listed, else the vendor default.
 */
export function chooseModel(type: ProviderType, listed: readonly string[]): string {
  for (const preferred of CHEAP_CAPABLE[type]) {
    if (listed.includes(preferred)) return preferred;
    if (type === 'ollama') {
      const tagged = listed.find(
        (name) => name === `${preferred}:latest` || (!preferred.includes(':') && name.startsWith(`${preferred}:`)),
      );
      if (tagged) return tagged.endsWith(':latest') ? preferred : tagged;
    }
  }
  const chat = listed.find((name) => !NOT_CHAT.test(name));
  if (chat) return type === 'ollama' && chat.endsWith(':latest') ? chat.slice(0, -':latest'.length) : chat;
  return fallbackModel(type);
}

/** The listed models worth offering as a default: chat models only, `chosen` first, at most `limit`. */
export function chatModels(listed: readonly string[], chosen: string, limit = 8): string[] {
  // Ollama's `llama3.2` is its `llama3.2:latest`: offered once, under the first of its names.
  const byModel = new Map<string, string>();
  for (const name of [chosen, ...listed.filter((candidate) => !NOT_CHAT.test(candidate))]) {
    const model = name.replace(/:latest$/, '');
    if (!byModel.has(model)) byModel.set(model, name);
  }
  return [...byModel.values()].slice(0, limit);
}
