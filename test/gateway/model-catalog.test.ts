import { describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../src/gateway/model-catalog.js';
import type { CallOptions, LanguageModelProvider } from '../../src/gateway/language-model.js';
import { providerError } from '../../src/gateway/provider-errors.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** A provider whose listing the test scripts: ids, a failure, or no answer at all (until the call is cancelled). */
function listingProvider(name: string, answer: () => Promise<string[]> | 'hang') {
  let asked = 0;
  const provider = {
    name,
    type: 'ollama',
    listModels: (options: CallOptions = {}) => {
      asked += 1;
      const result = answer();
      if (result !== 'hang') return result;
      return new Promise<string[]>((_resolve, reject) =>
        options.signal?.addEventListener('abort', () => reject(new Error('cancelled'))),
      );
    },
  } as unknown as LanguageModelProvider;
  return { provider, asked: () => asked };
}

function catalogOf(providers: LanguageModelProvider[], clock: ManualClock, timeoutMs = 5_000) {
  return new ModelCatalog({
    config: {
      providers: {},
      pricing: {},
      models: { default: `${providers[0]!.name}/configured`, actions: {} },
    } as never,
    providers: new Map(providers.map((provider) => [provider.name, provider])),
    logger: silentLogger(),
    clock,
    ttlMs: 60_000,
    failureTtlMs: 10_000,
    timeoutMs,
  });
}

const ids = async (catalog: ModelCatalog) => (await catalog.list()).map((model) => model.id);

describe('the model catalog behind GET /v1/models', () => {
  it('reuses a listing for its time to live, then asks the provider again', async () => {
    const clock = new ManualClock();
    const local = listingProvider('local', async () => ['llama3.2']);
    const catalog = catalogOf([local.provider], clock);
    expect(await ids(catalog)).toEqual(['local/configured', 'local/llama3.2']);
    await clock.advance(59_000);
    expect(await ids(catalog)).toEqual(['local/configured', 'local/llama3.2']);
    expect(local.asked()).toBe(1);
    await clock.advance(2_000);
    await catalog.list();
    expect(local.asked()).toBe(2);
  });

  it("finds an Ollama model by its name without a tag, as Ollama serves it: its ':latest'", async () => {
    const local = listingProvider('local', async () => ['llama3.1:latest', 'qwen2.5:7b']);
    const catalog = catalogOf([local.provider], new ManualClock());
    expect(await catalog.find('local/llama3.1')).toEqual({ id: 'local/llama3.1', provider: 'local' });
    expect(await catalog.find('local/llama3.1:latest')).toEqual({ id: 'local/llama3.1:latest', provider: 'local' });
    // Only the latest: another tag is not the name without one.
    expect(await catalog.find('local/qwen2.5')).toBeUndefined();
    expect(await catalog.find('local/llama3.1:8b')).toBeUndefined();
  });

  it("leaves out a provider that is down, still lists the others', and asks it again after a short memo", async () => {
    const clock = new ManualClock();
    let up = false;
    const down = listingProvider('down', async () => {
      if (!up) throw providerError('down', 'connection', 'connect ECONNREFUSED 127.0.0.1:9');
      return ['back'];
    });
    const other = listingProvider('other', async () => ['qwen']);
    const catalog = catalogOf([down.provider, other.provider], clock);
    expect(await ids(catalog)).toEqual(['down/configured', 'other/qwen']);
    await clock.advance(5_000);
    expect(await ids(catalog)).toEqual(['down/configured', 'other/qwen']);
    expect(down.asked()).toBe(1);
    up = true;
    await clock.advance(6_000);
    expect(await ids(catalog)).toEqual(['down/back', 'down/configured', 'other/qwen']);
    expect(down.asked()).toBe(2);
    expect(other.asked()).toBe(1);
  });

  it('leaves out a provider that does not answer in time, without holding the next requests as long', async () => {
    const clock = new ManualClock();
    const stuck = listingProvider('stuck', () => 'hang');
    const catalog = catalogOf([stuck.provider], clock, 100);
    const started = performance.now();
    expect(await ids(catalog)).toEqual(['stuck/configured']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    // The failure is remembered: the next request does not ask (and wait) again.
    expect(await ids(catalog)).toEqual(['stuck/configured']);
    expect(stuck.asked()).toBe(1);
  });
});
