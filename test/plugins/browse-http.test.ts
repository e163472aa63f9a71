import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createHttpBrowse from '../../plugins/browse/http.js';
import { PluginError, TimeoutError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { cachedBrowse } from '../../src/plugins/plugin-cache.js';
import type { BrowsePlugin } from '../../src/plugins/plugin-types.js';
import { makePdf } from '../helpers/make-pdf.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

const ARTICLE = `<!doctype html><html lang="fr"><head><meta charset="windows-1252"><title>Café au lait</title></head><body>
<nav>Accueil | S'inscrire | Connexion</nav>
<article><h1>Café au lait</h1><p class="byline">Par Élodie Martin</p>
${'<p>Le café au lait est une boisson à base de café et de lait chaud, très appréciée au petit déjeuner en France. Sa préparation varie selon les régions et les habitudes.</p>'.repeat(6)}
</article><footer>Recommandé pour vous · Inscrivez-vous à la lettre</footer></body></html>`;

describe('the http browse plugin', () => {
  let server: WireServer;
  let browse: BrowsePlugin;
  let hits = 0;

  beforeAll(async () => {
    server = await startWireServer((request, response) => {
      const path = request.url;
      if (path === '/latin1') {
        hits += 1;
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(Buffer.from(ARTICLE, 'latin1'));
      } else if (path === '/gzip') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
        response.end(gzipSync(Buffer.from(ARTICLE.replace('windows-1252', 'utf-8'))));
      } else if (path === '/paper.pdf') {
        response.writeHead(200, { 'content-type': 'application/pdf' });
        response.end(makePdf(['Rate limits in practice', 'Tokens per minute matter'], 'Limits Paper'));
      } else if (path === '/notes.txt') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-language': 'en' });
        response.end('plain notes\n');
      } else if (path === '/data.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"a":1}');
      } else if (path === '/huge') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(Buffer.alloc(300_000, 'a'));
      } else if (path === '/bomb') {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        response.end(gzipSync(Buffer.alloc(5_000_000, ' ')));
      } else if (path === '/slow') {
        // Never answers: the plugin's timeout must end it.
      } else if (path === '/image.png') {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else if (path === '/redirect-home') {
        response.writeHead(302, { location: '/latin1' });
        response.end();
      } else {
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<h1>Not found</h1>');
      }
    });
    browse = await createHttpBrowse(
      { use: 'http', allowHosts: ['127.0.0.1'], maxBytes: 200_000, timeoutMs: 500 },
      { logger: silentLogger(), cacheDirectory: '/tmp', env: {} },
    );
  });
  afterAll(async () => {
    await browse.close?.();
    await server.close();
  });

  it('decodes a page in its declared legacy charset and keeps only the article', async () => {
    const page = await browse.browse(`${server.url}/latin1`);
    expect(page.title).toBe('Café au lait');
    expect(page.lang).toBe('fr');
    expect(page.content).toContain('Le café au lait est une boisson à base de café et de lait chaud');
    expect(page.content).not.toContain("S'inscrire");
    expect(page.content).not.toContain('Recommandé pour vous');
  });

  it('decompresses gzip and follows a redirect', async () => {
    expect((await browse.browse(`${server.url}/gzip`)).content).toContain('petit déjeuner');
    const redirected = await browse.browse(`${server.url}/redirect-home`);
    expect(redirected.url).toBe(`${server.url}/latin1`);
  });

  it('reads a PDF as text, with its title', async () => {
    const page = await browse.browse(`${server.url}/paper.pdf`);
    expect(page.contentType).toBe('application/pdf');
    expect(page.title).toBe('Limits Paper');
    expect(page.content).toContain('Rate limits in practice');
    expect(page.content).toContain('Tokens per minute matter');
  });

  it('returns plain text and JSON as they are', async () => {
    expect(await browse.browse(`${server.url}/notes.txt`)).toMatchObject({
      content: 'plain notes',
      title: 'notes.txt',
      lang: 'en',
    });
    expect((await browse.browse(`${server.url}/data.json`)).content).toBe('{"a":1}');
  });

  it('refuses a page over the byte cap, also when compression hides its size', async () => {
    for (const path of ['/huge', '/bomb']) {
      const error = await browse.browse(`${server.url}${path}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PluginError);
      expect((error as PluginError).statusCode).toBe(413);
      expect((error as Error).message).toContain('over browse.maxBytes (200000');
    }
  });

  it('gives up on a page that does not answer within the timeout', async () => {
    const started = Date.now();
    const error = await browse.browse(`${server.url}/slow`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses types it does not read, with the reason, and reports a missing page as 404', async () => {
    const image = await browse.browse(`${server.url}/image.png`).catch((caught: unknown) => caught);
    expect((image as PluginError).statusCode).toBe(415);
    expect((image as Error).message).toContain('image/png, which agentd does not read');
    const missing = await browse.browse(`${server.url}/nowhere`).catch((caught: unknown) => caught);
    expect((missing as PluginError).statusCode).toBe(404);
  });

  it('serves a page from the cache within its TTL, fetching it once', async () => {
    const temp = makeTempDir();
    const cached = cachedBrowse(browse, temp.dir, 60_000, silentLogger());
    const before = hits;
    const [first, second] = await Promise.all([
      cached.browse(`${server.url}/latin1`),
      cached.browse(`${server.url}/latin1`),
    ]);
    const third = await cachedBrowse(browse, temp.dir, 60_000, silentLogger()).browse(`${server.url}/latin1`);
    expect(hits - before).toBe(1);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const expired = await cachedBrowse(browse, temp.dir, 0, silentLogger()).browse(`${server.url}/latin1`);
    expect(expired.title).toBe('Café au lait');
    expect(hits - before).toBe(2);
    temp.cleanup();
  });
});

describe('the http browse plugin on a kept-alive connection the server closed', () => {
  it('sends the request again on a new connection, once, when the reused one is reset before any answer', async () => {
    const served = new WeakSet<object>();
    let resets = 0;
    const server = await startWireServer((request, response) => {
      const socket = response.socket!;
      // The first page on a connection is answered; the next one finds it closed, as a server that dropped
      // an idle keep-alive connection just as the client reused it.
      if (served.has(socket)) {
        resets += 1;
        socket.destroy();
        return;
      }
      served.add(socket);
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`page ${request.url}`);
    });
    const browse = await createHttpBrowse(
      { use: 'http', allowHosts: ['127.0.0.1'], maxBytes: 200_000, timeoutMs: 2_000 },
      { logger: silentLogger(), cacheDirectory: '/tmp', env: {} },
    );
    try {
      expect((await browse.browse(`${server.url}/one`)).content).toContain('page /one');
      expect((await browse.browse(`${server.url}/two`)).content).toContain('page /two');
      expect(resets).toBe(1);
    } finally {
      await browse.close?.();
      await server.close();
    }
  });
});
