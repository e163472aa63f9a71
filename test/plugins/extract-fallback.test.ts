import { readFileSync } from 'node:fs';
import { JSDOM, VirtualConsole } from 'jsdom';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractHtml } from '../../plugins/browse/extract-content.js';
import createHttpBrowse from '../../plugins/browse/http.js';
import { plainTextOf, withoutStyles } from '../../plugins/browse/page-fallback.js';
import type { BrowsePlugin } from '../../src/plugins/plugin-types.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

const CALC_PAGE = readFileSync(new URL('../fixtures/browse/calc-style.html', import.meta.url), 'utf8');
const ARTICLE_LINE = 'Three operators will run sleeper trains from Brussels, Amsterdam and Berlin to the Alps';

describe('a page jsdom cannot parse is never lost', () => {
  it('uses a fixture that really makes jsdom throw', () => {
    expect(() => new JSDOM(CALC_PAGE, { virtualConsole: new VirtualConsole() })).toThrow(TypeError);
  });

  it('parses the page again without its CSS and keeps the article, with a warning', () => {
    const result = extractHtml(CALC_PAGE, 'https://trains.example/alps');
    expect(result.content).toContain(ARTICLE_LINE);
    expect(result.content).toContain('a dining car that serves regional food');
    expect(result.title).toBe('Night trains return to the Alps');
    expect(result.warnings?.[0]).toMatch(/parsing the page failed \(TypeError: .*\); parsed again without its CSS/);
  });

  it('parses a page at once when the declaration jsdom cannot parse is in a style attribute that hides nothing', () => {
    // Such attributes are dropped before the parse (lighter-source.ts): only `display` and `visibility` are read.
    const page = CALC_PAGE.replace('style="display: flex; flex: calc((1 + 2))"', 'style="flex: calc((1 + 2))"');
    expect(page).not.toBe(CALC_PAGE);
    const result = extractHtml(page, 'https://trains.example/alps');
    expect(result.content).toContain(ARTICLE_LINE);
    expect(result.warnings).toBeUndefined();
  });

  it('removes style elements, stylesheet links and style attributes from the source', () => {
    const stripped = withoutStyles(
      '<link rel="stylesheet" href="a.css"><style>p{flex:calc((1))}</style><p style="flex: calc((1 + 2))" class="x">Text</p>',
    );
    expect(stripped).toBe('<p class="x">Text</p>');
  });

  it('falls back to the plain text of the source when no DOM can be built', () => {
    const text = plainTextOf(
      '<html lang="de"><head><title>Zug &amp; Berg</title><script>var x = 1;</script></head><body><p>Erster Absatz</p><p>Zweiter&nbsp;Absatz &#x2014; Ende</p></body></html>',
    );
    expect(text).toEqual({ title: 'Zug & Berg', lang: 'de', content: 'Erster Absatz\n\nZweiter Absatz — Ende' });
  });

  it('never reports a warning for a page that parses', () => {
    expect(
      extractHtml(CALC_PAGE.replace(/calc\(\(1 \+ 2\)\)/g, '1'), 'https://trains.example/alps').warnings,
    ).toBeUndefined();
  });
});

describe('browsing the page over HTTP', () => {
  let server: WireServer;
  let browse: BrowsePlugin;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    server = await startWireServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(CALC_PAGE);
    });
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    browse = await createHttpBrowse(
      { use: 'http', allowHosts: ['127.0.0.1'], workers: 1 },
      { logger, cacheDirectory: '/tmp', env: {} },
    );
  });
  afterAll(async () => {
    await browse.close?.();
    await server.close();
  });

  it('answers with the article and logs the fallback, instead of failing the request', async () => {
    const page = await browse.browse(`${server.url}/alps`);
    expect(page.content).toContain(ARTICLE_LINE);
    expect(page).not.toHaveProperty('warnings');
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'page extracted through a fallback', url: `${server.url}/alps` }),
    );
    // A worker thread loads jsdom on its first task: seconds on a loaded two-core machine.
  }, 90_000);
});
