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
// Ruby annotations (Japanese furigana, Chinese pinyin) are a reading aid printed small above their word; inline,
// they come out doubled into it ("子こども" for 子ども), and the word no longer reads or matches as itself.
turndown.addRule('drop-ruby-annotations', { filter: ['rt', 'rp'], replacement: () => '' });
turndown.addRule('link-text-only', { filter: 'a', replacement: (content) => content });
// Emphasis markers and most Markdown escapes (`\_`, `\*`, `\[`) are tokens a model gains nothing from; headings,
// lists and tables stay, since they carry the page's structure.
turndown.addRule('plain-emphasis', { filter: ['em', 'i', 'strong', 'b'], replacement: (content) => content });
turndown.escape = escapeBlockStart;

/**
 * A text that starts with what Markdown reads as a block's marker (a paragraph "3. Klasse", "- 5 °C tonight",
 * "# 1 hit", "> quoted") would come out as a list item, a heading or a quote, and a reader of the Markdown
 * would lose its number or sign: escaped as CommonMark requires (`3\. Klasse`), one token each. Turndown calls
 * this on each text node; only a node's start can begin a line, and a needless escape mid-line reads the same.
 */
export function escapeBlockStart(text: string): string {
  return text.replace(/^(\d{1,9})\.(?=\s|$)/, '$1\\.').replace(/^([-+*>]|#{1,6})(?=\s|$)/, '\\$1');
}

/** An element or HTML string as Markdown: headings, lists, tables, quotes and code kept; media and link targets dropped. */
export function toMarkdown(content: string | HTMLElement): string {
  return tidy(turndown.turndown(content));
}

/**
 * Whitespace a model pays for and gains nothing from: runs of blanks, trailing blanks, more than one empty line;
 * and the invisible characters a reader never sees, which split the words they sit in: soft hyphens (`&shy;`,
 * where a page allows a line break inside a German compound), zero-width spaces, word joiners and stray byte-order
 * marks. The zero-width joiner and non-joiner stay: they change how Persian, Indic scripts and emoji are drawn.
 * Text is in Unicode's composed form (NFC), so that a word has one spelling whatever form the page wrote it in
 * (Bengali য় as one code point or two, é as e and an accent).
 */
export function tidy(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\r\u00ad\u200b\u2060\ufeff]/g, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
