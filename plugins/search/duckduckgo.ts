import { z } from 'zod';
import { PluginError } from '../../src/errors.js';
import { parsePluginOptions } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin, SearchResult } from '../../src/plugins/plugin-types.js';
import { pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** DuckDuckGo's keyless HTML endpoint. */
    baseURL: z.url().default('https://html.duckduckgo.com/html/'),
    /** `kl` region, e.g. `us-en`; default: derived from the language, else worldwide (`wt-wt`). */
    region: z.string().optional(),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

/** The region DuckDuckGo ranks for, by ISO 639-1 language. */
const REGIONS: Record<string, string> = {
  en: 'us-en',
  zh: 'cn-zh',
  de: 'de-de',
  fr: 'fr-fr',
  es: 'es-es',
  pt: 'br-pt',
  ja: 'jp-jp',
  ko: 'kr-kr',
  ru: 'ru-ru',
  it: 'it-it',
  nl: 'nl-nl',
  ar: 'xa-ar',
};

/** DuckDuckGo through its HTML endpoint: no key needed, which is why it is the default backend. */
const createDuckDuckGo: PluginFactory<SearchPlugin> = (raw) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  return {
    name: 'duckduckgo',
    async search(query, { limit = 8, language, signal } = {}) {
      const region = options.region ?? (language ? REGIONS[language] : undefined) ?? 'wt-wt';
      const html = await pluginRequest('duckduckgo', options.baseURL, {
        method: 'POST',
        form: { q: query, kl: region },
        timeoutMs: options.timeoutMs,
        signal,
      });
      return (await parseResults(html)).slice(0, limit);
    },
  };
};
export default createDuckDuckGo;

/** Reads organic results (ads skipped) from DuckDuckGo's HTML result page. */
export async function parseResults(html: string): Promise<SearchResult[]> {
  // parse5 alone (about 8 MB loaded), not jsdom (about 90 MB): a result page needs a tree, not a browser.
  const { parse } = await import('parse5');
  const document = parse(html) as unknown as HtmlNode;
  if (find(document, (node) => hasClass(node, 'anomaly-modal') || attribute(node, 'id') === 'challenge-form')) {
    throw new PluginError(
      'duckduckgo',
      'DuckDuckGo asked for a challenge (too many searches): try again later or configure another search backend',
      { statusCode: 502 },
    );
  }
  const results: SearchResult[] = [];
  for (const block of findAll(document, (node) => hasClass(node, 'result'))) {
    if (hasClass(block, 'result--ad')) continue;
    const link = find(block, (node) => node.nodeName === 'a' && hasClass(node, 'result__a'));
    const href = link && attribute(link, 'href');
    if (!link || !href) continue;
    const url = resolveRedirect(href);
    if (!url) continue;
    const snippet = find(block, (node) => hasClass(node, 'result__snippet'));
    results.push({ url, title: clean(textOf(link)), snippet: clean(snippet ? textOf(snippet) : '') });
  }
  return results;
}

/** The part of parse5's default tree that the parser reads. */
interface HtmlNode {
  nodeName: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: HtmlNode[];
  content?: HtmlNode;
}

function attribute(node: HtmlNode, name: string): string | undefined {
  return node.attrs?.find((attr) => attr.name === name)?.value;
}

function hasClass(node: HtmlNode, name: string): boolean {
  return (attribute(node, 'class') ?? '').split(/\s+/).includes(name);
}

/** Every descendant matching, in document order (as querySelectorAll). */
function findAll(root: HtmlNode, matches: (node: HtmlNode) => boolean): HtmlNode[] {
  const found: HtmlNode[] = [];
  const stack = [...(root.childNodes ?? [])].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as HtmlNode;
    if (matches(node)) found.push(node);
    for (let index = (node.childNodes?.length ?? 0) - 1; index >= 0; index--)
      stack.push((node.childNodes as HtmlNode[])[index] as HtmlNode);
  }
  return found;
}

function find(root: HtmlNode, matches: (node: HtmlNode) => boolean): HtmlNode | undefined {
  return findAll(root, matches)[0];
}

function textOf(node: HtmlNode): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(textOf).join('');
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
