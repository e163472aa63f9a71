import { tidy } from './markdown.js';

/**
 * The page without its CSS: `<style>` elements, stylesheet links and `style=` attributes removed from the
 * source text (not through the DOM, since building the DOM is what failed). jsdom's CSS code throws on some
 * real declarations (a `flex` or `border` shorthand whose value is `calc((...))`); the text never needs CSS.
 */
export function withoutStyles(html: string): string {
  return html
    .replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '')
    .replace(/<link\b[^>]*rel\s*=\s*["']?stylesheet[^>]*>/gi, '')
    .replace(/(<[a-z][^>]*?)\sstyle\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, '$1');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The last resort when no DOM can be built: the page's title and body text from the source by pattern,
 * scripts, styles and comments dropped, block tags as line breaks, entities decoded.
 */
export function plainTextOf(html: string): { title: string; lang: string | null; content: string } {
  const decode = (text: string) =>
    text.replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (entity, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X'))
        return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? entity;
    });
  const title = decode(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const lang = /<html[^>]*\slang\s*=\s*["']?([\w-]+)/i.exec(html)?.[1] ?? null;
  const body = /<body[^>]*>([\s\S]*)$/i.exec(html)?.[1] ?? html;
  const text = body
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template|svg|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<\/?(p|div|br|h[1-6]|li|tr|section|article|header|footer|blockquote|pre|table|ul|ol)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '');
  return {
    title,
    lang,
    content: tidy(
      decode(text)
        .replace(/[ \t]+/g, ' ')
        .replace(/\n\s*\n+/g, '\n\n'),
    ),
  };
}
