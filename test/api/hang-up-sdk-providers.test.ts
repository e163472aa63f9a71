import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/daemon/services.js';
import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';
import { buildTestApp } from '../helpers/services.js';
import { listeningOpenAIClient } from '../helpers/sdk-client.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

/**
 * A client hanging up cancels the upstream call of providers reached through their SDK too: the API's
 * per-request `Cancellation` becomes the `AbortSignal` the SDK takes (`toAbortSignal`).
 */
describe('a client hanging up, with a provider reached through its SDK', () => {
  let anthropic: WireServer;
  let ollama: WireServer;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;
  const ledger: LedgerEntry[] = [];
  let client: OpenAI;
  const gone = new Map<string, () => void>();
  const hungUp = (name: string) => new Promise<void>((resolve) => gone.set(name, resolve));

  beforeAll(async () => {
    // Neither ever answers a chat: the test hangs up, and the daemon must close the upstream request in turn.
    // The daemon's model listings get a quick 404 (a listing left hanging would hold up the stop).
    anthropic = await startWireServer((request, response) => {
      if (!request.url.startsWith('/v1/messages')) return sendJson(response, 404, { error: 'no models here' });
      response.on('close', () => gone.get('anthropic')?.());
    });
    ollama = await startWireServer((request, response) => {
      if (request.url !== '/api/chat') return sendJson(response, 404, { error: 'no models here' });
      response.on('close', () => gone.get('ollama')?.());
    });
    ({ app, services, close } = await buildTestApp({
      providers: {
        claude: { type: 'anthropic', baseURL: anthropic.url, apiKey: 'ak-test-0123456789' },
        local: { type: 'ollama', baseURL: ollama.url },
      },
      models: { default: 'claude/claude-test' },
    }));
    client = await listeningOpenAIClient(app);
    services.gateway.ledger.subscribe((entry) => ledger.push(entry));
  });
  afterAll(async () => {
    await close();
    await Promise.all([anthropic.close(), ollama.close()]);
  });

  it.each([
    ['anthropic', 'claude/claude-test', () => anthropic],
    ['ollama', 'local/llama3.2', () => ollama],
  ])('closes the %s request when the client goes away, and counts its prompt as paid', async (name, model, server) => {
    const upstreamClosed = hungUp(name);
    const controller = new AbortController();
    const call = client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'hang' }] },
      { signal: controller.signal },
    );
    while (server().requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await upstreamClosed;
    // Whatever error the SDK made of the cancellation: an estimated line, and the provider not marked down.
    await vi.waitFor(() => expect(ledger.at(-1)).toMatchObject({ provider: model.split('/')[0], estimated: true }));
    const provider = services.gateway.providersState().find((state) => state.name === model.split('/')[0]);
    expect(provider?.health.lastFailure).toBeNull();
  });
});
