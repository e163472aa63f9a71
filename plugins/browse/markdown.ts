import TurndownService from 'turndown';

const turndown = new TurndownService({
  headingStyle: 'atx',
  codeBlockStyle: 'fenced',
  bulletListMarker: '-',
  emDelimiter: '*',
});
// The model reads the text, not the page: image markup and link targets are tokens that carry nothing for a
// summary (they were a good part of the seed's page chrome), so images go and links keep only their words.
// An added rule, not remove(): Turndown's own image rule would take precedence over remove().
turndown.addRule('drop-media', {
  filter: (node) =>
    ['IMG', 'PICTURE', 'VIDEO', 'AUDIO', 'IFRAME', 'SVG', 'SCRIPT', 'STYLE', 'NOSCRIPT', 'FORM', 'BUTTON'].includes(
      node.nodeName.toUpperCase(),
    ),
  replacement: () => '',
});
turndown.addRule('link-text-only', { filter: 'a', replacement: (content) => content });
// Emphasis markers and Markdown escapes (`\_`, `1\.`) are tokens a model gains nothing from; headings, lists
// and tables stay, since they carry the page's structure.
turndown.addRule('plain-emphasis', { filter: ['em', 'i', 'strong', 'b'], replacement: (content) => content });
turndown.escape = (text) => text;

/** An element or HTML string as Markdown: headings, lists, tables, quotes and code kept; media and link targets dropped. */
export function toMarkdown(content: string | HTMLElement): string {
  return tidy(turndown.turndown(content));
}

/** Whitespace a model pays for and gains nothing from: runs of blanks, trailing blanks, more than one empty line. */
export function tidy(text: string): string {
  return text
    .replace(/\r/g, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
