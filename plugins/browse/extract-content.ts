import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { extractArticle } from './extract-article.js';
import type { Extracted } from './extracted.js';
import { tidy } from './markdown.js';
import { plainTextOf, withoutStyles } from './page-fallback.js';

/**
 * The main content of an HTML page as Markdown, with title, byline, language and date: the page cleaned of
 * chrome by block rules, then Mozilla's Readability (Firefox's reader view), then cleaned again. Never throws
 * for a page: when jsdom or Readability fails, the page is parsed again without its CSS (`<style>` and
 * `style=`, where jsdom's CSS parser has thrown on real pages), and when that fails too its plain text is
 * returned; each fallback is recorded in `warnings`.
 */
export function extractHtml(html: string, url: string): Extracted {
  const warnings: string[] = [];
  try {
    return withWarnings(extractArticle(html, url), warnings);
  } catch (error) {
    warnings.push(`parsing the page failed (${describe(error)}); parsed again without its CSS`);
  }
  try {
    return withWarnings(extractArticle(withoutStyles(html), url), warnings);
  } catch (error) {
    warnings.push(`parsing the page without its CSS failed too (${describe(error)}); kept its plain text`);
  }
  return { ...plainTextOf(html), byline: null, publishedTime: null, warnings };
}

function withWarnings(extracted: Extracted, warnings: string[]): Extracted {
  return warnings.length > 0 ? { ...extracted, warnings: [...warnings, ...(extracted.warnings ?? [])] } : extracted;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A PDF's text, pages joined, with the title from its metadata when it has one. */
export async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  const pdf = await getDocumentProxy(bytes);
  const { text } = await extractText(pdf, { mergePages: true });
  const meta = await getMeta(pdf).catch(() => undefined);
  const info = (meta?.info ?? {}) as { Title?: string; Author?: string; Language?: string };
  await pdf.destroy();
  return {
    title: info.Title?.trim() ?? '',
    byline: info.Author?.trim() || null,
    lang: info.Language || null,
    publishedTime: null,
    content: tidy(text),
  };
}
