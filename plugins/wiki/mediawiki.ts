import { z } from 'zod';
import { parsePluginOptions } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, WikiArticle, WikiPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /**
     * The action API. `{lang}` is replaced by the language edition; a `*.wikipedia.org` URL without it has its
     * subdomain swapped instead, so `https://en.wikipedia.org/w/api.php` also serves `zh`.
     */
    apiURL: z.string().default('https://{lang}.wikipedia.org/w/api.php'),
    /** Search results considered before giving up. @default 5 */
    candidates: z.number().int().positive().max(20).default(5),
    timeoutMs: z.number().int().positive().default(10_000),
    /** Wikimedia asks every client to identify itself. */
    userAgent: z.string().default('agentd/0.1 (local research daemon; https://www.mediawiki.org/wiki/API:Etiquette)'),
  })
  .strict();

const searchSchema = z.object({ query: z.object({ search: z.array(z.object({ title: z.string() })) }).optional() });
const pagesSchema = z.object({
  query: z
    .object({
      redirects: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
      normalized: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
      pages: z.array(
        z.object({
          title: z.string(),
          missing: z.boolean().optional(),
          invalid: z.boolean().optional(),
          extract: z.string().optional(),
          fullurl: z.string().optional(),
          pageprops: z.object({ disambiguation: z.string().optional() }).loose().optional(),
        }),
      ),
    })
    .optional(),
});

/**
 * Any MediaWiki action API (Wikipedia in any language by default): search, then the best article among the
 * results that exists and is not a disambiguation page, with its introduction as plain text and canonical
 * URL. Redirects are followed.
 */
const createMediaWiki: PluginFactory<WikiPlugin> = (raw) => {
  const options = parsePluginOptions('wiki', optionsSchema, raw);
  const call = (language: string, params: Record<string, string | number>, signal: AbortSignal | undefined) =>
    pluginRequest('mediawiki', apiFor(options.apiURL, language), {
      searchParams: { format: 'json', formatversion: 2, utf8: 1, ...params },
      headers: { 'user-agent': options.userAgent },
      timeoutMs: options.timeoutMs,
      signal,
    });

  return {
    name: 'mediawiki',
    async lookup(query, { language = 'en', signal } = {}): Promise<WikiArticle | undefined> {
      const found = parseAnswer(
        'mediawiki',
        searchSchema,
        await call(
          language,
          { action: 'query', list: 'search', srsearch: query, srlimit: options.candidates, srprop: '' },
          signal,
        ),
      );
      const titles = (found.query?.search ?? []).map((hit) => hit.title);
      if (titles.length === 0) return undefined;
      const answer = parseAnswer(
        'mediawiki',
        pagesSchema,
        await call(
          language,
          {
            action: 'query',
            prop: 'extracts|info|pageprops',
            exintro: 1,
            explaintext: 1,
            exlimit: 'max',
            redirects: 1,
            inprop: 'url',
            ppprop: 'disambiguation',
            titles: titles.join('|'),
          },
          signal,
        ),
      );
      const pages = answer.query?.pages ?? [];
      const resolve = (title: string) => {
        let current = title;
        for (const step of [...(answer.query?.normalized ?? []), ...(answer.query?.redirects ?? [])])
          if (step.from === current) current = step.to;
        return current;
      };
      // The API returns pages in its own order; keep the search engine's ranking.
      for (const title of titles) {
        const page = pages.find((candidate) => candidate.title === resolve(title));
        if (!page || page.missing || page.invalid || page.pageprops?.disambiguation !== undefined) continue;
        const extract = (page.extract ?? '').trim();
        if (!extract) continue;
        return { title: page.title, url: page.fullurl ?? articleURL(options.apiURL, language, page.title), extract };
      }
      return undefined;
    },
  };
};
export default createMediaWiki;

/** The API URL for a language edition. */
export function apiFor(template: string, language: string): string {
  if (template.includes('{lang}')) return template.replaceAll('{lang}', encodeURIComponent(language));
  const url = new URL(template);
  if (/^[a-z-]+\.wikipedia\.org$/.test(url.hostname)) url.hostname = `${language}.wikipedia.org`;
  return url.toString();
}

function articleURL(template: string, language: string, title: string): string {
  const api = new URL(apiFor(template, language));
  return `${api.origin}/wiki/${encodeURIComponent(title.replace(/ /g, '_'))}`;
}
