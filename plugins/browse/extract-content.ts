import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import TurndownService from 'turndown';
import { extractText, getDocumentProxy, getMeta } from 'unpdf';

/** What extraction returns for one document. */
export interface Extracted {
  title: string;
  byline: string | null;
  lang: string | null;
  publishedTime: string | null;
  content: string;
}

const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '*' });
// The model reads the text, not the page: image markup and link targets are tokens that carry nothing for a
// summary (they were a good part of the seed's page chrome), so images go and links keep only their words.
// An added rule, not remove(): Turndown's own image rule would take precedence over remove().
turndown.addRule('drop-media', {
  filter: (node) => ['IMG', 'PICTURE', 'VIDEO', 'AUDIO', 'IFRAME', 'SVG', 'SCRIPT', 'STYLE', 'NOSCRIPT', 'FORM', 'BUTTON'].includes(node.nodeName.toUpperCase()),
  replacement: () => '',
});
turndown.addRule('link-text-only', { filter: 'a', replacement: (content) => content });
// Emphasis markers and Markdown escapes (`\_`, `1\.`) are tokens a model gains nothing from; headings, lists
// and tables stay, since they carry the page's structure.
turndown.addRule('plain-emphasis', { filter: ['em', 'i', 'strong', 'b'], replacement: (content) => content });
turndown.escape = (text) => text;

/**
 * The main content of an HTML page as Markdown, with title, byline, language and date, by Mozilla's
 * Readability (Firefox's reader view). A page Readability cannot parse falls back to its body text.
 */
export function extractHtml(html: string, url: string): Extracted {
  // Pages log CSS and script errors by the hundred; none of it is ours to report.
  const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
  const document = dom.window.document;
  const lang = document.documentElement.getAttribute('lang') || null;
  const article = new Readability(document).parse();
  let result: Extracted;
  if (article?.content) {
    result = {
      title: (article.title ?? '').trim() || document.title.trim(),
      byline: article.byline?.trim() || null,
      lang: article.lang || lang,
      publishedTime: article.publishedTime ?? null,
      content: tidy(turndown.turndown(article.content)),
    };
  } else {
    result = { title: document.title.trim(), byline: null, lang, publishedTime: null, content: tidy(document.body?.textContent ?? '') };
  }
  dom.window.close();
  return result;
}

/** A PDF's text, pages joined, with the title from its metadata when it has one. */
export async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  const pdf = await getDocumentProxy(bytes);
  const { text } = await extractText(pdf, { mergePages: true });
  const meta = await getMeta(pdf).catch(() => undefined);
  const info = (meta?.info ?? {}) as { Title?: string; Author?: string; Language?: string };
  await pdf.destroy();
  return { title: info.Title?.trim() ?? '', byline: info.Author?.trim() || null, lang: info.Language || null, publishedTime: null, content: tidy(text) };
}

function tidy(text: string): string {
  return text
    .replace(/\r/g, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
