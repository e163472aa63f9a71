import { readdirSync, readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { ARTICLE_CHROME_RULES } from '../../plugins/browse/article-chrome-rules.js';
import { BLOCK_RULES, LINK_BLOCK_RULE } from '../../plugins/browse/block-rules.js';
import { jsonLdArticleBody } from '../../plugins/browse/json-ld.js';
import { HIDING_STYLE, putBack, lightenSource } from '../../plugins/browse/lighter-source.js';
import { parsePage } from '../../plugins/browse/parse-page.js';
import { ORPHAN_HEADING_RULE, TEASER_RULE } from '../../plugins/browse/section-rules.js';

const reference = new JSDOM('');

/** Every node of the tree with its namespace, name, attributes and text: what two parses must agree on. */
function shape(node: Node): string {
  const lines: string[] = [];
  const visit = (current: Node, depth: number) => {
    const element = current.nodeType === 1 ? (current as Element) : undefined;
    const attributes = element ? [...element.attributes].map((a) => `${a.name}=${JSON.stringify(a.value)}`) : [];
    const data =
      current.nodeType === 3 || current.nodeType === 8 ? JSON.stringify((current as CharacterData).data) : '';
    lines.push(
      `${' '.repeat(depth)}${current.nodeType} ${element?.namespaceURI ?? ''} ${current.nodeName} ${attributes.join(' ')} ${data}`,
    );
    const children = element?.localName === 'template' ? (element as HTMLTemplateElement).content : current;
    for (let child = children.firstChild; child; child = child.nextSibling) visit(child, depth + 1);
  };
  visit(node, 0);
  return lines.join('\n');
}

/** The page parsed as it came, by a DOMParser of its own. */
function parsedWhole(html: string): Document {
  return new reference.window.DOMParser().parseFromString(html, 'text/html');
}

const long = (text: string) => text.repeat(Math.ceil(300 / text.length));
const SCRIPT = long('var answer = compute(1, 2) < 3 && "x"; ');
const STYLE = long('.card > p { color: red } ');

describe('setting script and style bodies aside while jsdom parses the page', () => {
  it('leaves only markers of the long bodies for parse5 to read, and short ones as they are', () => {
    const html = `<html><head><script>${SCRIPT}</script><style>${STYLE}</style><script>short()</script></head><body></body></html>`;
    const lighter = lightenSource(html);
    expect(lighter?.bodies).toEqual([SCRIPT, STYLE]);
    expect(lighter?.html.length).toBeLessThan(html.length - SCRIPT.length - STYLE.length + 100);
    expect(lighter?.html).toContain('<script>short()</script>');
  });

  /** Pages that make a tokenizer slip, with how many bodies go aside and whether the parse can be shown right. */
  const tricky: Array<{ html: string; bodies: number; putBack: boolean }> = [
    // End tags in any case, with spaces or a slash; a `</scripty` that is no end tag.
    {
      html: `<body><SCRIPT type="text/javascript">${SCRIPT} if (a </scripty) {}</SCRIPT ><p>after</p><style>${STYLE}</style/><p>x</p>`,
      bodies: 2,
      putBack: true,
    },
    // Tags written inside attribute values, comments, a textarea and a title are not tags.
    {
      html: `<head><title><script>${SCRIPT}</title></head><body><div title="1 > 0 <script>" data-x='a > b'>t</div><!-- a > <script> -->
       <textarea><style>${STYLE}</textarea><!--> <script>${SCRIPT}</script><!---> <script>${SCRIPT}</script><!-- a --!> <script>${SCRIPT}</script>`,
      bodies: 3,
      putBack: true,
    },
    // In a script, `<!--` may hide an end tag: the body stays, and what follows is still found.
    {
      html: `<body><script>${SCRIPT}<!-- document.write("<script>x()</script>") --></script><p>between</p><script>${SCRIPT}</script>`,
      bodies: 1,
      putBack: true,
    },
    // SVG and MathML: their <style> and <script> are not raw text; <template> content is not in the tree.
    {
      html: `<body><svg><style>${STYLE}<b>not bold</b></style><title>icon</title><script>${SCRIPT}</script></svg>
       <math><mi>x</mi></math><template><script>${SCRIPT}</script></template><style>${STYLE}</style>`,
      bodies: 1,
      putBack: true,
    },
    // A style the parser ignores (inside <select>): the marker lands elsewhere, so the page is parsed as it came.
    { html: `<body><select><style>${STYLE}<option>one</option></style></select>`, bodies: 1, putBack: false },
    // An end tag this scan takes for the end of the SVG where the parser does not: the style is SVG's, the page parsed as it came.
    { html: `<body><svg></math><style>${STYLE}<b>not bold</b></style></svg>`, bodies: 1, putBack: false },
    // Line breaks and NUL in a body, as the tokenizer normalises them; an unquoted attribute; a page cut short.
    {
      html: `<body><script src=a.js defer>\r\n${SCRIPT}\r${SCRIPT}\0end</script><p class=x>para</p><style>${STYLE}`,
      bodies: 2,
      putBack: true,
    },
    // After <plaintext>, the rest of the page is text.
    { html: `<body><plaintext><script>${SCRIPT}</script>`, bodies: 0, putBack: false },
    // A page that writes the marker's characters is parsed as it came.
    { html: `<body><p>\uFDD0agentd-set-aside-0</p><script>${SCRIPT}</script>`, bodies: 0, putBack: false },
  ];

  it('finds the bodies of pages that make a tokenizer slip, and shows the parse right where it is', () => {
    for (const { html, bodies, putBack: shown } of tricky) {
      const lighter = lightenSource(html);
      expect(lighter?.bodies.length ?? 0, html.slice(0, 80)).toBe(bodies);
      if (lighter) expect(putBack(parsedWhole(lighter.html), lighter), html.slice(0, 80)).toBe(shown);
    }
  });

  it('gives the tree jsdom builds from the whole page, for those pages', () => {
    for (const { html } of tricky)
      expect(shape(parsePage(html, 'https://page.example/').documentElement), html.slice(0, 80)).toBe(
        shape(parsedWhole(html).documentElement),
      );
  });

  it('refuses a tree where a marker is not the whole text of one HTML script or style', () => {
    const html = `<body><select><style>${STYLE}</style></select>`;
    const lighter = lightenSource(html);
    expect(lighter).toBeDefined();
    if (!lighter) return;
    // jsdom ignores a <style> start tag inside <select>: the marker becomes text of the select.
    const document = parsedWhole(lighter.html);
    expect(putBack(document, lighter)).toBe(false);
  });

  it('puts back what the page reads from scripts: JSON-LD stays evidence', () => {
    const articleBody = long('The article body, as the publisher states it. ');
    const html = `<head><script type="application/ld+json">{"@type":"Article","articleBody":"${articleBody}"}</script></head><body><p>x</p>`;
    expect(lightenSource(html)?.bodies).toHaveLength(1);
    expect(jsonLdArticleBody(parsePage(html, 'https://page.example/'))).toBe(articleBody.trim());
  });
});

describe('dropping style attributes that hide nothing before jsdom parses the page', () => {
  const styleOf = (html: string, id: string) =>
    parsePage(html, 'https://page.example/').getElementById(id)?.getAttribute('style') ?? null;

  it('drops a style attribute without display or visibility, and keeps the others and the rest of the tag', () => {
    const html = `<body><p id="a" style="color: red; margin: 0 auto" class="x">a</p><p id="b" STYLE='display:none'>b</p>
      <p id="c" style="Visibility: hidden">c</p><p id="d" style=width:10px title="t">d</p><p id="e" style="dis&#112;lay:none">e</p>`;
    const lighter = lightenSource(html)?.html ?? '';
    expect(lighter).toContain('<p id="a"  class="x">');
    expect(lighter).toContain('<p id="d"  title="t">');
    const document = parsePage(html, 'https://page.example/');
    expect(document.getElementById('a')?.className).toBe('x');
    expect(document.getElementById('d')?.title).toBe('t');
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => styleOf(html, id))).toEqual([
      null,
      'display:none',
      'Visibility: hidden',
      null,
      'dis&#112;lay:none'.replace('&#112;', 'p'),
    ]);
  });

  it('keeps style attributes where the scan may not read the page as the tokenizer does', () => {
    const hides = 'color: red';
    // Inside SVG; a tag written in a script or comment; two style attributes on one tag (the first one counts).
    expect(styleOf(`<svg><g id="g" style="${hides}"></g></svg>`, 'g')).toBe(hides);
    expect(styleOf(`<p id="p" style="${hides}" style="display:none">p</p>`, 'p')).toBe(hides);
    const script = `<script>el.innerHTML = '<p style="${hides}">';</script>`;
    expect(parsePage(`<body>${script}</body>`, 'https://page.example/').body.innerHTML).toBe(script);
    // A script whose end this scan cannot tell (`<!--` then `<script`): what follows may be its text.
    const escaped = `<body><script><!-- <script>x()</script> <p style="${hides}"> --></script><p id="p" style="${hides}">p</p>`;
    expect(shape(parsePage(escaped, 'https://page.example/').documentElement)).toBe(
      shape(parsedWhole(escaped).documentElement),
    );
    // After a <style> inside SVG content (the parser may have left the SVG unseen), nothing more is dropped.
    expect(styleOf(`<svg><style>.a{}</style></svg><p id="p" style="${hides}">p</p>`, 'p')).toBe(hides);
  });

  it('is what the block rules need: their selectors read no style declaration but display and visibility', () => {
    const rules = [...BLOCK_RULES, LINK_BLOCK_RULE, ...ARTICLE_CHROME_RULES, TEASER_RULE, ORPHAN_HEADING_RULE];
    const styleParts = rules.flatMap((rule) => rule.selector.match(/\[style[^\]]*\]/g) ?? []);
    expect(styleParts.length).toBeGreaterThan(0);
    for (const part of styleParts) expect(part).toMatch(HIDING_STYLE);
    // Nor does any code of the browse plugin read an element's style another way.
    const folder = new URL('../../plugins/browse/', import.meta.url);
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts')))
      expect(readFileSync(new URL(file, folder), 'utf8'), file).not.toMatch(/getAttribute\(['"]style|\.style\b/);
  });
});
