import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInPlugins } from '../../plugins/index.js';
import { ConfigError, PluginError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { SearchPlugin } from '../../src/plugins/plugin-types.js';
import { sendJson, startWireServer, type RecordedRequest, type WireServer } from '../helpers/wire-server.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const context = { logger: silentLogger(), cacheDirectory: '/tmp', env: {} as NodeJS.ProcessEnv };

async function backend(
  use: string,
  answer: (request: RecordedRequest) => { status?: number; body: unknown; headers?: Record<string, string> },
  options: Record<string, unknown> = {},
  path = '/search',
): Promise<SearchPlugin> {
  server = await startWireServer((request, response) => {
    const { status = 200, body, headers = {} } = answer(request);
    if (typeof body === 'string') {
      response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      response.end(body);
    } else sendJson(response, status, body, headers);
  });
  return builtInPlugins.search[use]!({ use, baseURL: `${server.url}${path}`, ...options }, context) as SearchPlugin;
}

const expected = [
  { url: 'https://example.org/a', title: 'Result A', snippet: 'About A' },
  { url: 'https://example.org/b', title: 'Result B', snippet: 'About B' },
];

describe('search backends', () => {
  it('SearXNG: asks for JSON in the language and maps results', async () => {
    const plugin = await backend(
      'searxng',
      () => ({
        body: {
          query: 'q',
          results: expected.map((result) => ({
            url: result.url,
            title: result.title,
            content: result.snippet,
            engine: 'bing',
          })),
        },
      }),
      {},
      '',
    );
    expect(await plugin.search('rate limits', { limit: 5, language: 'zh' })).toEqual(expected);
    const sent = new URL(server!.requests[0]!.url, 'http://x');
    expect(sent.pathname).toBe('/search');
    expect(Object.fromEntries(sent.searchParams)).toMatchObject({ q: 'rate limits', format: 'json', language: 'zh' });
  });

  it('DuckDuckGo: posts the query to the HTML endpoint, skips ads and unwraps result links', async () => {
    const html = readFileSync(new URL('../fixtures/duckduckgo/results.html', import.meta.url), 'utf8');
    const plugin = await backend('duckduckgo', () => ({ body: html }), {}, '/html/');
    const results = await plugin.search('rate limiting', { language: 'en' });
    expect(results).toEqual([
      {
        url: 'https://en.wikipedia.org/wiki/Rate_limiting',
        title: 'Rate limiting - Wikipedia',
        snippet: 'In computer networks, rate limiting is used to control the rate of requests sent or received.',
      },
      {
        url: 'https://platform.openai.com/docs/guides/rate-limits',
        title: 'Rate limits - OpenAI API',
        snippet:
          'Rate limits are restrictions that our API imposes on the number of times a user can access our services.',
      },
    ]);
    expect(server!.requests[0]!.method).toBe('POST');
    expect(new URLSearchParams(server!.requests[0]!.body).get('kl')).toBe('us-en');
  });

  it('Brave: sends the subscription token and strips highlight tags', async () => {
    const plugin = await backend(
      'brave',
      () => ({
        body: {
          type: 'search',
          web: {
            results: expected.map((result) => ({
              url: result.url,
              title: result.title,
              description: `<strong>${result.snippet}</strong>`,
            })),
          },
        },
      }),
      { apiKey: 'brave-key-123' },
    );
    expect(await plugin.search('q')).toEqual(expected);
    expect(server!.requests[0]!.headers['x-subscription-token']).toBe('brave-key-123');
  });

  it('Serper: posts JSON with the API key header', async () => {
    const plugin = await backend(
      'serper',
      () => ({
        body: {
          searchParameters: { q: 'q' },
          organic: expected.map((result, index) => ({
            title: result.title,
            link: result.url,
            snippet: result.snippet,
            position: index + 1,
          })),
        },
      }),
      { apiKey: 'serper-key-123' },
    );
    expect(await plugin.search('q', { limit: 2, language: 'de' })).toEqual(expected);
    expect(server!.requests[0]!.headers['x-api-key']).toBe('serper-key-123');
    expect(server!.requests[0]!.json()).toEqual({ q: 'q', num: 2, hl: 'de' });
  });

  it('Google Custom Search: passes key, cx and language restriction', async () => {
    const plugin = await backend(
      'google',
      () => ({
        body: {
          kind: 'customsearch#search',
          items: expected.map((result) => ({
            kind: 'customsearch#result',
            title: result.title,
            link: result.url,
            snippet: result.snippet,
          })),
        },
      }),
      { apiKey: 'g-key-123', cx: 'engine-1' },
    );
    expect(await plugin.search('q', { language: 'fr' })).toEqual(expected);
    expect(Object.fromEntries(new URL(server!.requests[0]!.url, 'http://x').searchParams)).toMatchObject({
      key: 'g-key-123',
      cx: 'engine-1',
      q: 'q',
      lr: 'lang_fr',
    });
  });

  it('Bing: reads webPages.value with the subscription key header', async () => {
    const plugin = await backend(
      'bing',
      () => ({
        body: {
          _type: 'SearchResponse',
          webPages: {
            value: expected.map((result) => ({ name: result.title, url: result.url, snippet: result.snippet })),
          },
        },
      }),
      { apiKey: 'bing-key-123' },
    );
    expect(await plugin.search('q')).toEqual(expected);
    expect(server!.requests[0]!.headers['ocp-apim-subscription-key']).toBe('bing-key-123');
  });

  it('Tavily: posts the query with a bearer key', async () => {
    const plugin = await backend(
      'tavily',
      () => ({
        body: {
          query: 'q',
          results: expected.map((result) => ({
            title: result.title,
            url: result.url,
            content: result.snippet,
            score: 0.9,
          })),
        },
      }),
      { apiKey: 'tvly-key-123' },
    );
    expect(await plugin.search('q', { limit: 3 })).toEqual(expected);
    expect(server!.requests[0]!.headers.authorization).toBe('Bearer tvly-key-123');
    expect(server!.requests[0]!.json()).toMatchObject({ query: 'q', max_results: 3 });
  });

  it('retries when the backend answers 429 with retry-after, then succeeds', async () => {
    let calls = 0;
    const plugin = await backend(
      'searxng',
      () =>
        ++calls === 1
          ? { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } }
          : {
              body: {
                results: expected.map((result) => ({ url: result.url, title: result.title, content: result.snippet })),
              },
            },
      {},
      '',
    );
    expect(await plugin.search('q')).toEqual(expected);
    expect(server!.requests).toHaveLength(2);
  });

  it('turns a persistent backend failure into a plugin error with its status and text', async () => {
    const plugin = await backend('brave', () => ({ status: 401, body: { error: { detail: 'invalid token' } } }), {
      apiKey: 'brave-key-123',
    });
    const error = await plugin.search('q').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).message).toMatch(/brave: HTTP 401 from 127\.0\.0\.1:\d+: .*invalid token/);
    expect((error as PluginError).statusCode).toBe(502);
  });

  it('fails at load when a key is missing, naming the environment variable', () => {
    for (const [use, variable] of [
      ['brave', 'BRAVE_API_KEY'],
      ['serper', 'SERPER_API_KEY'],
      ['google', 'GOOGLE_API_KEY'],
      ['bing', 'BING_API_KEY'],
      ['tavily', 'TAVILY_API_KEY'],
    ] as const) {
      expect(() => builtInPlugins.search[use]!({ use }, context)).toThrow(
        new RegExp(
          `plugins\\.search\\.apiKey: the ${use} plugin needs an API key: set the environment variable ${variable}`,
        ),
      );
    }
    const fromEnv = builtInPlugins.search.brave!(
      { use: 'brave' },
      { ...context, env: { BRAVE_API_KEY: 'k-from-env' } },
    );
    expect(fromEnv).toHaveProperty('name', 'brave');
  });

  it('fails at load on bad options, with the key path', () => {
    const error = (() => {
      try {
        builtInPlugins.search.searxng!({ use: 'searxng', baseURL: 'not a url' }, context);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('plugins.search.baseURL: expected the URL of a SearXNG instance');
  });
});
