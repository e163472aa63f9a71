import { z } from 'zod';
import { PluginError } from '../../src/errors.js';
import { parsePluginOptions } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin, SearchResult } from '../../src/plugins/plugin-types.js';
import { pluginRequest } from '../http-client.js';

const optionsSchema = z.object({
  use: z.string(),
  /** DuckDuckGo's keyless HTML endpoint. */
  baseURL: z.url().default('https://html.duckduckgo.com/html/'),
  /** `kl` region, e.g. `us-en`; default: derived from the language, else worldwide (`wt-wt`). */
  region: z.string().optional(),
  timeoutMs: z.number().int().positive().default(10_000),
});

/** The region DuckDuckGo ranks for, by ISO 639-1 language. */
const REGIONS: Record<string, string> = { en: 'us-en', zh: 'cn-zh', de: 'de-de', fr: 'fr-fr', es: 'es-es', pt: 'br-pt', ja: 'jp-jp', ko: 'kr-kr', ru: 'ru-ru', it: 'it-it', nl: 'nl-nl', ar: 'xa-ar' };

/** DuckDuckGo through its HTML endpoint: no key needed, which is why it is the default backend. */
const createDuckDuckGo: PluginFactory<SearchPlugin> = (raw) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  return {
    name: 'duckduckgo',
    async search(query, { limit = 8, language, signal } = {}) {
      const region = options.region ?? (language ? REGIONS[language] : undefined) ?? 'wt-wt';
      const html = await pluginRequest('duckduckgo', options.baseURL, { method: 'POST', form: { q: query, kl: region }, timeoutMs: options.timeoutMs, signal });
      return (await parseResults(html)).slice(0, limit);
    },
  };
};
export default createDuckDuckGo;

/**
 * Reads organic results (ads skipped) from DuckDuckGo's HTML result page. jsdom (about 90 MB) is loaded with
 * the first search, not when the daemon starts.
 */
export async function parseResults(html: string): Promise<SearchResult[]> {
  const { JSDOM } = await import('jsdom');
  const document = new JSDOM(html).window.document;
  if (document.querySelector('.anomaly-modal, #challenge-form')) {
    throw new PluginError('duckduckgo', 'DuckDuckGo asked for a challenge (too many searches): try again later or configure another search backend', { statusCode: 502 });
  }
  const results: SearchResult[] = [];
  for (const block of document.querySelectorAll('.result')) {
    if (block.classList.contains('result--ad')) continue;
    const link = block.querySelector<HTMLAnchorElement>('a.result__a');
    const href = link?.getAttribute('href');
    if (!link || !href) continue;
    const url = resolveRedirect(href);
    if (!url) continue;
    const snippet = block.querySelector('.result__snippet')?.textContent ?? '';
    results.push({ url, title: clean(link.textContent ?? ''), snippet: clean(snippet) });
  }
  return results;
}

/** Result links go through `//duckduckgo.com/l/?uddg=<target>`; we want the target. */
function resolveRedirect(href: string): string | undefined {
  try {
    const parsed = new URL(href, 'https://duckduckgo.com');
    const target = parsed.pathname === '/l/' ? parsed.searchParams.get('uddg') : parsed.toString();
    if (!target) return undefined;
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
