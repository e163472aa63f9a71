import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import createMediaWiki, { apiFor } from '../../plugins/wiki/mediawiki.js';
import { silentLogger } from '../../src/logger.js';
import type { WikiPlugin } from '../../src/plugins/plugin-types.js';
import { sendJson, startWireServer, type WireServer } from '../helpers/wire-server.js';

interface Article {
  extract?: string;
  disambiguation?: boolean;
  missing?: boolean;
  redirectTo?: string;
}

/** A MediaWiki-shaped API per language (`/en/w/api.php`, `/zh/w/api.php`), formatversion=2. */
function wiki(articles: Record<string, Record<string, Article>>, searches: Record<string, Record<string, string[]>>) {
  return startWireServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const language = url.pathname.split('/')[1] ?? 'en';
    const params = url.searchParams;
    if (params.get('list') === 'search') {
      sendJson(response, 200, {
        batchcomplete: true,
        query: {
          searchinfo: { totalhits: 1 },
          search: (searches[language]?.[params.get('srsearch') ?? ''] ?? []).map((title, index) => ({
            ns: 0,
            title,
            pageid: index + 1,
          })),
        },
      });
      return;
    }
    const titles = (params.get('titles') ?? '').split('|');
    const redirects: Array<{ from: string; to: string }> = [];
    const pages = titles.map((title) => {
      let article = articles[language]?.[title];
      let resolved = title;
      if (article?.redirectTo) {
        redirects.push({ from: title, to: article.redirectTo });
        resolved = article.redirectTo;
        article = articles[language]?.[resolved];
      }
      if (!article || article.missing) return { ns: 0, title: resolved, missing: true };
      return {
        ns: 0,
        title: resolved,
        fullurl: `https://${language}.wikipedia.org/wiki/${encodeURIComponent(resolved.replace(/ /g, '_'))}`,
        extract: article.extract ?? '',
        ...(article.disambiguation ? { pageprops: { disambiguation: '' } } : {}),
      };
    });
    // The real API lists pages in its own order, not the order asked.
    sendJson(response, 200, {
      batchcomplete: true,
      query: { ...(redirects.length ? { redirects } : {}), pages: pages.reverse() },
    });
  });
}

describe('the MediaWiki plugin', () => {
  let server: WireServer;
  let plugin: WikiPlugin;
  beforeAll(async () => {
    server = await wiki(
      {
        en: {
          Mercury: { disambiguation: true, extract: 'Mercury may refer to:' },
          'Mercury (planet)': { extract: 'Mercury is the first planet from the Sun.' },
          'Ghost page': { missing: true },
          TPM: { redirectTo: 'Tokens per minute' },
          'Tokens per minute': { extract: 'Tokens per minute is a rate limit.' },
        },
        zh: { 人工智能: { extract: '人工智能是指由人制造出来的机器所表现出来的智能。' } },
      },
      {
        en: {
          mercury: ['Mercury', 'Ghost page', 'Mercury (planet)'],
          tpm: ['TPM'],
          nothing: [],
          ghosts: ['Ghost page'],
        },
        zh: { 人工智能: ['人工智能'] },
      },
    );
    plugin = await createMediaWiki(
      { use: 'mediawiki', apiURL: `${server.url}/{lang}/w/api.php` },
      { logger: silentLogger(), cacheDirectory: '/tmp', env: {} },
    );
  });
  afterAll(() => server.close());

  it('skips disambiguation and missing pages and keeps the search ranking', async () => {
    expect(await plugin.lookup('mercury')).toEqual({
      title: 'Mercury (planet)',
      url: 'https://en.wikipedia.org/wiki/Mercury%20(planet)'.replace('%20', '_'),
      extract: 'Mercury is the first planet from the Sun.',
    });
    const request = new URL(server.requests.at(-1)!.url, 'http://x').searchParams;
    expect(Object.fromEntries(request)).toMatchObject({
      action: 'query',
      prop: 'extracts|info|pageprops',
      exintro: '1',
      explaintext: '1',
      redirects: '1',
      format: 'json',
    });
  });

  it('follows redirects to the article', async () => {
    expect(await plugin.lookup('tpm')).toMatchObject({
      title: 'Tokens per minute',
      extract: 'Tokens per minute is a rate limit.',
    });
  });

  it('answers in the asked language edition', async () => {
    expect(await plugin.lookup('人工智能', { language: 'zh' })).toEqual({
      title: '人工智能',
      url: `https://zh.wikipedia.org/wiki/${encodeURIComponent('人工智能')}`,
      extract: '人工智能是指由人制造出来的机器所表现出来的智能。',
    });
    expect(server.requests.at(-1)!.url.startsWith('/zh/w/api.php')).toBe(true);
  });

  it('returns nothing when no page matches or all are missing', async () => {
    expect(await plugin.lookup('nothing')).toBeUndefined();
    expect(await plugin.lookup('ghosts')).toBeUndefined();
  });

  it('swaps the language subdomain of a Wikipedia URL without {lang}', () => {
    expect(apiFor('https://en.wikipedia.org/w/api.php', 'zh')).toBe('https://zh.wikipedia.org/w/api.php');
    expect(apiFor('https://wiki.example.org/api.php', 'zh')).toBe('https://wiki.example.org/api.php');
  });
});
