import { loadCorpus } from './corpus.js';
import { sendJson, startWireServer, type WireServer } from './wire-server.js';

export interface FixtureWeb extends WireServer {
  /** Plugin config pointing at this web. */
  plugins: Record<string, unknown>;
  /** How many times each path was fetched. */
  hits: Map<string, number>;
}

/** A page of the test's own, served at `/pages/<name>/` and listed first in every search result. */
export interface ExtraPage {
  name: string;
  title: string;
  html: string;
}

/**
 * Corpus pages the fixture search engine returns, a few per query: real pages, the lightest English ones of
 * the corpus (9-17 KB gzipped), since every research run of the suite extracts them on two busy cores. How
 * well heavy pages are extracted is test/plugins/browse-corpus.test.ts's job, over all 40.
 */
const PAGES = ['ars-1', 'lwn-1', 'v8-blog', 'medium-2', 'gitlab-blog', 'dropbox-blog', 'mozilla-1', 'ietf-1'];

/**
 * A small web for end-to-end runs, on one local server: `/search` answers as SearXNG does, `/w/api.php` as
 * MediaWiki does, `/pages/<name>/` serves real pages of the corpus, and the results also hold an irrelevant
 * page, a 404, a page that never answers and a private (metadata) address, as a real search might.
 */
export async function startFixtureWeb(
  options: { faults?: boolean; wikiTitles?: Record<string, string>; extraPages?: ExtraPage[] } = {},
): Promise<FixtureWeb> {
  const corpus = new Map(loadCorpus().map((page) => [page.name, page]));
  const hits = new Map<string, number>();
  const faults = options.faults ?? true;
  const wikiTitles = options.wikiTitles ?? {};
  let base = '';

  const server = await startWireServer((request, response) => {
    const url = new URL(request.url, 'http://fixture');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    if (url.pathname === '/search') {
      const query = url.searchParams.get('q') ?? '';
      const start = [...query].reduce((sum, character) => sum + character.charCodeAt(0), 0) % PAGES.length;
      const chosen = [0, 1, 2].map((offset) => PAGES[(start + offset) % PAGES.length] as string);
      const [first, second, third] = chosen.map((name) => ({
        url: `${base}/pages/${name}/`,
        title: corpus.get(name)?.metadata.title ?? name,
        content: `About ${name}`,
      }));
      const irrelevant = { url: `${base}/irrelevant`, title: 'Gardening tips for spring', content: 'Tulips' };
      const spam = { url: `${base}/casino`, title: 'Best casino bonus spam', content: 'Win big' };
      const broken = [
        { url: `${base}/missing`, title: 'A page that is gone', content: 'Gone' },
        { url: `${base}/slow`, title: 'A page that never loads', content: 'Slow' },
        { url: 'http://169.254.169.254/latest/meta-data/', title: 'Cloud metadata', content: 'Private' },
      ];
      // Queries about "facts" meet the broken pages near the top, where ranking keeps them; others do not.
      const extra = (options.extraPages ?? []).map((page) => ({
        url: `${base}/pages/${page.name}/`,
        title: page.title,
        content: `About ${page.name}`,
      }));
      const results = [
        ...extra,
        ...(faults && query.includes('facts')
          ? [first, ...broken, second, spam, irrelevant, third]
          : [first, second, irrelevant, third, spam]),
      ];
      sendJson(response, 200, { query, results });
      return;
    }
    if (url.pathname === '/w/api.php') {
      if (url.searchParams.get('list') === 'search') {
        const title = wikiTitles[url.searchParams.get('srsearch') ?? ''];
        sendJson(response, 200, { query: { search: title ? [{ title }] : [] } });
        return;
      }
      const titles = (url.searchParams.get('titles') ?? '').split('|');
      sendJson(response, 200, {
        query: {
          pages: titles.map((title) => ({
            title,
            fullurl: `https://en.wikipedia.org/wiki/${encodeURIComponent(title.replace(/ /g, '_'))}`,
            extract: `${title} is a subject with an encyclopedia article. It has a long and documented history.`,
          })),
        },
      });
      return;
    }
    const page = /^\/pages\/([^/]+)\/$/.exec(url.pathname);
    const extraPage = options.extraPages?.find((candidate) => candidate.name === page?.[1]);
    if (extraPage) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(extraPage.html);
      return;
    }
    if (page && corpus.has(page[1] as string)) {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(corpus.get(page[1] as string)?.source);
      return;
    }
    if (url.pathname === '/irrelevant' || url.pathname === '/casino') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<html><head><title>Gardening</title></head><body><article><h1>Gardening</h1><p>IRRELEVANT PAGE. ${'Plant tulips in autumn for colour in spring. '.repeat(10)}</p></article></body></html>`,
      );
      return;
    }
    if (url.pathname === '/slow') return; // never answers
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<h1>Not found</h1>');
  });
  base = server.url;
  return {
    ...server,
    hits,
    plugins: {
      search: { use: 'searxng', baseURL: server.url },
      // One extraction worker: each one started loads jsdom and the tokenizer (2-3 s of CPU), and a run's pages
      // are not extracted any sooner by two on a loaded machine. The pool's concurrency has its own tests.
      browse: { use: 'http', allowHosts: [`127.0.0.1:${server.port}`], timeoutMs: 1500, workers: 1 },
      wiki: { use: 'mediawiki', apiURL: `${server.url}/w/api.php` },
    },
  };
}
