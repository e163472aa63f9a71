import { afterEach, describe, expect, it } from 'vitest';
import { describeRun } from '../src/cli/commands/runs.js';
import { forTerminal } from '../src/cli/terminal-text.js';
import { silentLogger } from '../src/logger.js';
import { builtInPlugins } from '../plugins/index.js';
import { loadPlugins } from '../src/plugins/load-plugins.js';
import { emptyUsage, type Run } from '../src/types/run-record.js';
import { scrubSecrets } from '../src/secrets.js';
import { auth, buildTestApp, testConfig } from './helpers/services.js';
import { makeTempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('secrets of plugins', () => {
  it.each([
    ['an option', { apiKey: 'brave-option-key-0123456789' }, {}, 'brave-option-key-0123456789'],
    ['the environment', {}, { BRAVE_API_KEY: 'brave-env-key-0123456789' }, 'brave-env-key-0123456789'],
  ])('a search plugin key from %s is registered as a secret', async (_from, options, env, key) => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const config = testConfig(temp.dir, { plugins: { search: { use: 'brave', ...options } } });
    const plugins = await loadPlugins(config, {
      logger: silentLogger(),
      cacheDirectory: () => temp.dir,
      builtIns: builtInPlugins,
      env,
    });
    cleanups.push(() => plugins.close());
    expect(scrubSecrets(`GET https://api.search.brave.com/?key=${key} failed`)).not.toContain(key);
  });
});

describe('text printed to a terminal', () => {
  it('strips escape and control sequences from web-derived text, keeping the text', () => {
    expect(
      forTerminal('Title\u001b]0;owned\u0007 here\u001b[2J\u001b[31mred\u001b[0m\r\u0008x\u009b31m\tend\nnext'),
    ).toBe('Title hereredx\tend\nnext');
  });

  it('agentd show prints a run whose title carries escape sequences without them', () => {
    const run: Run = {
      id: 'r',
      topic: 'x\u001b[2J',
      language: 'en',
      status: 'completed',
      createdAt: 'now',
      team: ['researcher'],
      keywords: ['k\u001b]8;;http://evil\u0007'],
      wiki: [],
      sources: [{ url: 'http://a/\u001b[1m', title: 'T\u001b[31m', query: 'q', summary: 's' }],
      report: 'r',
      usage: emptyUsage(),
      errors: [{ stage: 's', message: 'm\u001b[0m' }],
    };
    expect(describeRun(run)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('lone surrogates in a request', () => {
  it.each([
    ['/v1/runs', '{"topic":"bad \\ud800 topic"}', 'topic'],
    ['/v1/runs', '{"topic":"ok","team":["extractor","\\udfff"]}', 'team[1]'],
    ['/v1/tools/search', '{"query":"a\\ud83d"}', 'query'],
  ])('POST %s with %s answers 400 naming the field', async (url, payload, param) => {
    const built = await buildTestApp();
    cleanups.push(built.close);
    const response = await built.app.inject({
      method: 'POST',
      url,
      headers: { ...auth, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'AGENTD_ERR_BAD_REQUEST',
      message: expect.stringContaining('lone surrogate'),
      param,
    });
    expect(await built.services.runs.list()).toEqual({ runs: [] });
  });

  it('is refused over a real socket too', async () => {
    const built = await buildTestApp();
    cleanups.push(built.close);
    const url = await built.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"topic":"\\ud800"}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'body.topic: contains a lone surrogate',
    );
  });

  it('a well-formed pair (an emoji) is accepted', async () => {
    const built = await buildTestApp();
    cleanups.push(built.close);
    const response = await built.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"topic":"smile \\ud83d\\ude00","team":["extractor"]}',
    });
    expect(response.statusCode).toBe(202);
  });
});
