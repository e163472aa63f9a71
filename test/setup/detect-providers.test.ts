import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ollamaBaseURL } from '../../src/config/ollama-url.js';
import { chooseModel } from '../../src/setup/choose-model.js';
import { detectedDefaults, detectProviders } from '../../src/setup/detect-providers.js';
import { anthropicListing, deadURL, ollamaListing, openAIListing } from '../helpers/provider-listings.js';
import type { WireServer } from '../helpers/wire-server.js';

const servers: WireServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function serve(server: Promise<WireServer>): Promise<WireServer> {
  servers.push(await server);
  return servers.at(-1) as WireServer;
}

describe('providers from the environment', () => {
  it('keeps a key that is refused (to show why), drops an Ollama that is down, and defaults to the first that works', async () => {
    const openai = await serve(openAIListing(['gpt-4.1', 'gpt-4o-mini', 'text-embedding-3-small']));
    const anthropic = await serve(anthropicListing(['claude-haiku-4-5']));
    const env = {
      OPENAI_API_KEY: 'sk-good',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-wrong',
      ANTHROPIC_BASE_URL: anthropic.url,
      OLLAMA_HOST: await deadURL(),
    };
    const detected = await detectProviders(env, { timeoutMs: 3_000 });
    expect(detected.map(({ name, probe }) => [name, probe.ok, probe.problem])).toEqual([
      ['openai', true, undefined],
      ['anthropic', false, 'key-refused'],
    ]);
    const defaults = detectedDefaults(detected);
    expect(defaults?.defaultModel).toBe('openai/gpt-4o-mini');
    // Keys stay references until the config is parsed: init writes them so, and never the key itself.
    expect(defaults?.providers.openai).toEqual({
      type: 'openai',
      apiKey: '${OPENAI_API_KEY}',
      baseURL: `${openai.url}/v1`,
    });

    const config = parseConfig({}, { env, source: 'defaults', detected: defaults });
    expect(config.providersFrom).toBe('environment');
    expect(config.models.default).toBe('openai/gpt-4o-mini');
    expect(config.providers.openai).toMatchObject({ apiKey: 'sk-good', origin: 'environment: OPENAI_API_KEY' });
    expect(config.providers.anthropic?.origin).toBe('environment: ANTHROPIC_API_KEY');
    expect(Object.keys(config.providers)).toEqual(['openai', 'anthropic']);
  });

  it('takes an answering Ollama with a small chat model it has pulled when no key is set', async () => {
    const ollama = await serve(ollamaListing(['nomic-embed-text:latest', 'qwen2.5:7b', 'mistral:latest']));
    const detected = await detectProviders({ OLLAMA_HOST: ollama.url.replace('http://', '') });
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({
      name: 'ollama',
      origin: `Ollama answering at ${ollama.url} (OLLAMA_HOST)`,
      model: 'qwen2.5:7b',
    });
    expect(detectedDefaults(detected)?.defaultModel).toBe('ollama/qwen2.5:7b');
  });

  it('finds nothing when no key is set and no Ollama answers', async () => {
    expect(detectedDefaults(await detectProviders({ OLLAMA_HOST: await deadURL() }))).toBeUndefined();
  });

  it('a config that names its providers keeps them, with the file as their origin', () => {
    const config = parseConfig(
      { providers: { local: { type: 'ollama' } } },
      { env: { OPENAI_API_KEY: 'sk-x' }, source: '/etc/agentd.json' },
    );
    expect(config.providersFrom).toBe('file');
    expect(Object.keys(config.providers)).toEqual(['local']);
    expect(config.providers.local?.origin).toBe('config file /etc/agentd.json');
  });

  it('reads OLLAMA_HOST as Ollama does and picks cheap capable models by vendor', () => {
    expect(ollamaBaseURL(undefined)).toBe('http://127.0.0.1:11434');
    expect(ollamaBaseURL('0.0.0.0')).toBe('http://127.0.0.1:11434');
    expect(ollamaBaseURL('gpu-box:8080')).toBe('http://gpu-box:8080');
    expect(ollamaBaseURL('https://ollama.example.org:443')).toBe('https://ollama.example.org');
    expect(chooseModel('ollama', ['llama3.2:latest'])).toBe('llama3.2');
    expect(chooseModel('ollama', ['all-minilm:latest', 'deepseek-r1:8b'])).toBe('deepseek-r1:8b');
    expect(chooseModel('anthropic', ['claude-opus-4-1', 'claude-haiku-4-5'])).toBe('claude-haiku-4-5');
    expect(chooseModel('openai', [])).toBe('gpt-4o-mini');
  });
});
