import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auth, buildTestApp } from '../helpers/services.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

describe('the tool routes', () => {
  let web: WireServer;
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    web = await startWireServer((request, response) => {
      const url = new URL(request.url, 'http://x');
      if (url.pathname === '/search') {
        if (url.searchParams.get('q') === 'broken') return sendJson(response, 500, { error: 'engine down' });
        return sendJson(response, 200, { results: [{ url: 'https://example.org/a', title: 'A', content: 'about a' }] });
      }
      if (url.pathname === '/w/api.php') {
        if (url.searchParams.get('list') === 'search')
          return sendJson(response, 200, {
            query: { search: url.searchParams.get('srsearch') === 'known' ? [{ title: 'Known' }] : [] },
          });
        return sendJson(response, 200, {
          query: {
            pages: [{ title: 'Known', extract: 'Known is known.', fullurl: 'https://en.wikipedia.org/wiki/Known' }],
          },
        });
      }
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<html><head><title>Page</title></head><body><article><h1>Page</h1><p>Some content worth reading here, long enough to count as an article body for the reader view.</p></article></body></html>',
      );
    });
    ({ app, close } = await buildTestApp({
      plugins: {
        search: { use: 'searxng', baseURL: web.url },
        browse: { use: 'http', allowHosts: [`127.0.0.1:${web.port}`] },
        wiki: { use: 'mediawiki', apiURL: `${web.url}/w/api.php` },
      },
    }));
  });
  afterAll(async () => {
    await close();
    await web.close();
  });

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, headers: auth, payload: payload as object });

  it('searches with the configured plugin', async () => {
    const response = await post('/v1/tools/search', { query: 'rate limits', limit: 3 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ results: [{ url: 'https://example.org/a', title: 'A', snippet: 'about a' }] });
  });

  it('answers 502 with the cause when the search backend fails, and 400 for a malformed body', async () => {
    const failed = await post('/v1/tools/search', { query: 'broken' });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error).toMatchObject({
      code: 'AGENTD_ERR_PLUGIN',
      message: expect.stringContaining('HTTP 500'),
    });
    expect((await post('/v1/tools/search', { limit: 3 })).statusCode).toBe(400);
  });

  it('browses a page into Markdown with its token count', async () => {
    const response = await post('/v1/tools/browse', { url: `${web.url}/page` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      url: `${web.url}/page`,
      title: 'Page',
      content: expect.stringContaining('Some content worth reading'),
      tokens: expect.any(Number),
    });
  });

  it('refuses a private address with 403 and an error code', async () => {
    const response = await post('/v1/tools/browse', { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('AGENTD_ERR_BLOCKED_ADDRESS');
  });

  it('finds a wiki article, and answers 404 when there is none', async () => {
    expect((await post('/v1/tools/wiki', { query: 'known' })).json()).toEqual({
      title: 'Known',
      url: 'https://en.wikipedia.org/wiki/Known',
      extract: 'Known is known.',
    });
    const missing = await post('/v1/tools/wiki', { query: 'unknown', lang: 'en' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('AGENTD_ERR_NOT_FOUND');
  });
});
