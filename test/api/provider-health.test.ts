import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { runDaemon, type RunningDaemon } from '../../src/daemon/run-daemon.js';
import { deadURL, openAIWithoutListing } from '../helpers/provider-listings.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

interface ProviderStatus {
  name: string;
  origin: string;
  health: {
    reachable: boolean | null;
    lastSuccessAt: string | null;
    lastFailureAt: string | null;
    lastFailure: { kind: string; message: string } | null;
    lastCheckedBy: string | null;
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

/** OpenAI's wire: the model listing answers, but chat completions refuse the key (revoked after the start). */
function openAIRevokingChats(): Promise<WireServer> {
  return startWireServer((request, response) => {
    if (request.url === '/v1/models')
      sendJson(response, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }],
      });
    else
      sendJson(response, 401, {
        error: {
          message: 'Incorrect API key provided: sk-g***',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
  });
}

/** A daemon started as `agentd start --foreground` would, on a config file with `config` in a temporary data dir. */
async function startDaemon(config: Record<string, unknown>) {
  const temp = makeTempDir('agentd-health-test-');
  cleanups.push(temp.cleanup);
  const dataDir = path.join(temp.dir, 'data');
  const file = path.join(temp.dir, 'config.json');
  writeFileSync(file, JSON.stringify({ server: { port: 0 }, dataDir, ...config }));
  const daemon: RunningDaemon = await runDaemon(loadConfig({ file }));
  cleanups.push(() => daemon.close());
  const token = readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
  const get = async <T>(route: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${daemon.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as T };
  };
  return { daemon, token, file, dataDir, get };
}

describe('provider health and origin, over a real socket', () => {
  it('a daemon without providers in its config takes them from the environment and reports each one’s origin and health', async () => {
    const openai = await openAIRevokingChats();
    cleanups.push(() => openai.close());
    vi.stubEnv('OPENAI_API_KEY', 'sk-good');
    vi.stubEnv('OPENAI_BASE_URL', `${openai.url}/v1`);
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    vi.stubEnv('OLLAMA_HOST', await deadURL());
    const { daemon, token, dataDir, get: getWithStatus } = await startDaemon({ log: { level: 'info' } });
    const get = async <T>(route: string): Promise<T> => (await getWithStatus<T>(route)).body;

    // The start's check lists the models: reachable, a success, no failure yet.
    await vi.waitFor(
      async () => {
        const { providers } = await get<{ providers: ProviderStatus[] }>('/v1/status');
        expect(providers.map((provider) => provider.name)).toEqual(['openai']);
        expect(providers[0]).toMatchObject({
          origin: 'environment: OPENAI_API_KEY',
          health: { reachable: true, lastFailure: null, lastCheckedBy: 'check' },
        });
      },
      { timeout: 10_000, interval: 100 },
    );

    // A real call refused (a run's first LLM call): the failure and its reason are recorded; the provider
    // stays reachable, since it answered.
    const submitted = await fetch(`${daemon.url}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'Rate limits of LLM providers', team: ['extractor'] }),
    });
    const { id } = (await submitted.json()) as { id: string };
    await vi.waitFor(async () => expect((await get<{ status: string }>(`/v1/runs/${id}`)).status).toBe('failed'), {
      timeout: 20_000,
      interval: 100,
    });
    const { providers } = await get<{ providers: Array<ProviderStatus & { models: { default: string | null } }> }>(
      '/v1/providers',
    );
    expect(providers[0]).toMatchObject({
      name: 'openai',
      origin: 'environment: OPENAI_API_KEY',
      models: { default: 'openai/gpt-4o-mini' },
    });
    expect(providers[0]?.health).toMatchObject({
      reachable: true,
      lastCheckedBy: 'call',
      lastFailure: { kind: 'auth', message: expect.stringContaining('Incorrect API key') as string },
    });
    expect(providers[0]?.health.lastSuccessAt).not.toBeNull();
    expect(JSON.stringify(providers)).not.toContain('sk-good');

    // The log says where the provider came from.
    const log = readFileSync(path.join(dataDir, 'agentd.log'), 'utf8');
    expect(log).toMatch(
      /"provider":"openai".*"origin":"environment: OPENAI_API_KEY".*"provider found in the environment"/,
    );
  });

  it('a provider that answers but cannot list its models is healthy, and /v1/models lists its configured models', async () => {
    const local = await openAIWithoutListing(404);
    cleanups.push(() => local.close());
    const { get } = await startDaemon({
      providers: { local: { type: 'openai', apiKey: 'sk-good', baseURL: `${local.url}/v1` } },
      models: { default: 'local/qwen2.5-7b', actions: { ConductResearch: 'local/llama-3.1-8b' } },
    });
    await vi.waitFor(
      async () => {
        const { body } = await get<{ providers: ProviderStatus[] }>('/v1/providers');
        expect(body.providers[0]?.health).toMatchObject({ reachable: true, lastFailure: null, lastCheckedBy: 'check' });
      },
      { timeout: 10_000, interval: 100 },
    );

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const models = await get<{ data: Array<{ id: string; owned_by: string }> }>('/v1/models');
      expect(models.status).toBe(200);
      expect(models.body.data.map((model) => model.id)).toEqual(['local/llama-3.1-8b', 'local/qwen2.5-7b']);
    }
    const retrieved = await get<{ id: string }>('/v1/models/local%2Fqwen2.5-7b');
    expect(retrieved).toMatchObject({ status: 200, body: { id: 'local/qwen2.5-7b', owned_by: 'local' } });
    // The missing listing is remembered like a listing: asked by the start's check and once by the catalog,
    // not again at each request.
    expect(local.requests.filter((request) => request.url === '/v1/models')).toHaveLength(2);
  });

  it('a provider that is down is reported unreachable with the reason, and /v1/models still answers its configured models', async () => {
    const { file, get } = await startDaemon({
      providers: { local: { type: 'ollama', baseURL: await deadURL() } },
      models: { default: 'local/llama3.2' },
    });
    await vi.waitFor(
      async () => {
        const { providers } = (await get<{ providers: ProviderStatus[] }>('/v1/providers')).body;
        expect(providers[0]).toMatchObject({
          origin: `config file ${file}`,
          health: { reachable: false, lastSuccessAt: null, lastFailure: { kind: 'connection' } },
        });
      },
      { timeout: 10_000, interval: 100 },
    );
    // What it would list is left out; what the config names stays, and the answer is not an error.
    const models = await get<{ data: Array<{ id: string }> }>('/v1/models');
    expect(models.status).toBe(200);
    expect(models.body.data.map((model) => model.id)).toEqual(['local/llama3.2']);
  });
});
