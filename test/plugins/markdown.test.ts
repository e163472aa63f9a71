import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { plainText } from '../../bench/extract-bench.js';
import { toMarkdown } from '../../plugins/browse/markdown.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/browse/numbered-paragraphs.html',
);

/** The fixture's article as Markdown: paragraphs that start with a number or a sign, a real list after them. */
function markdown(): string {
  const { document } = new JSDOM(readFileSync(FIXTURE, 'utf8')).window;
  return toMarkdown(document.querySelector('article') as HTMLElement);
}

describe('Markdown of paragraphs that start like a block marker', () => {
  it("escapes a paragraph's own leading number, so it is not read as an ordered list item", () => {
    const lines = markdown().split('\n');
    expect(lines).toContain('3\\. Klasse: the pupils learn to read a map of their town.');
    expect(lines).toContain('37\\. What did one volcano say to the other? I lava you.');
  });

  it('escapes a leading dash, hash and quote sign that are text', () => {
    const lines = markdown().split('\n');
    expect(lines).toContain('\\- 5 °C is the coldest it got last night, the weather office says.');
    expect(lines).toContain('\\# 1 hit of the week, and still the song nobody admits to liking.');
    expect(lines).toContain('\\> quoted from the minutes, as the chair read them out.');
  });

  it('keeps real lists and headings as Markdown lists and headings', () => {
    const lines = markdown().split('\n');
    expect(lines).toContain('## 1\\. Grundschule');
    expect(lines).toEqual(
      expect.arrayContaining(['1. Open the box.', '2. Take out the map.', '- pencils', '- an eraser']),
    );
  });
});

describe("the extraction bench's plain text", () => {
  it('reads an escaped number or sign as the text a reader sees, and list markers as markup', () => {
    const text = plainText(markdown());
    expect(text).toContain('3. Klasse: the pupils');
    expect(text).toContain('37. What did one volcano say');
    expect(text).toContain('- 5 °C is the coldest');
    expect(text).toContain('# 1 hit of the week');
    expect(text).toContain('> quoted from the minutes');
    expect(text).toContain('Steps to follow: Open the box. Take out the map. pencils an eraser');
  });
});

describe('Markdown of text with invisible characters', () => {
  it('drops soft hyphens, zero-width spaces and word joiners, which split the words a reader sees whole', () => {
    const html =
      '<p>Wäh&shy;rend Sie über den Markt schlen&shy;dern, pro&#173;bie&shy;ren Sie das Wehr&shy;mau&shy;er&shy;brot.</p>' +
      '<p>https://example.org/a/very/long/\u200bpath and a\u2060joined word.</p>';
    expect(toMarkdown(html)).toBe(
      'Während Sie über den Markt schlendern, probieren Sie das Wehrmauerbrot.\n\nhttps://example.org/a/very/long/path and ajoined word.',
    );
  });

  it('keeps the zero-width non-joiner that Persian spelling needs', () => {
    expect(toMarkdown('<p>می\u200cخواهم</p>')).toBe('می\u200cخواهم');
  });
});

describe('Markdown of annotated and decomposed text', () => {
  it('drops ruby annotations, so a Japanese word reads once and not doubled by its furigana', () => {
    const html =
      '<p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくす</p>';
    expect(toMarkdown(html)).toBe('子どもへの虐待をなくす');
  });

  it('writes text in composed form, one spelling for a word whatever form the page used', () => {
    // য় (U+09DF) is excluded from composition: its composed form is য and the nukta sign, two code points.
    expect(toMarkdown('<p>কুষ্টি\u09df\u09be and Cafe\u0301</p>')).toBe('কুষ্টি\u09af\u09bc\u09be and Caf\u00e9');
  });
});
