/**
 * The page's source made lighter for jsdom to parse, the tree it gives kept the one the whole page gives in all
 * that the extraction reads.
 *
 * - The bodies of `<script>` and `<style>` elements are set aside before jsdom parses the page and put back into
 *   the parsed tree after. parse5 tokenizes raw text one character at a time, and inline scripts and styles are
 *   a third of a typical page's bytes. Nothing is dropped: every body is put back, as the text jsdom would have
 *   made of it, before anything reads the tree (the block rules measure script text, Readability and
 *   `json-ld.ts` read JSON-LD scripts).
 * - `style=` attributes that neither hide nor show anything (no `display` or `visibility`) are dropped: jsdom
 *   parses each into a CSS declaration as it builds the tree (5% of the extraction's CPU), and the extraction
 *   reads only whether an element is hidden (`BLOCK_RULES`' hidden rule, Readability's `_isProbablyVisible`).
 *   A rule that reads other declarations must change `HIDING_STYLE` (a test checks the rules' selectors).
 *
 * The scan here is not a full HTML tokenizer: it follows tags, attributes, comments and raw-text elements well
 * enough to find where a body starts and ends. For the bodies it need not be right on every page, because
 * `putBack` checks the parse instead: each body's marker must be the whole text of one HTML `<script>` or
 * `<style>` element. Then the tokenizer was in that element's raw-text state from its first character to its
 * end tag, where the original body, which holds no end tag for it (nor, for a script, the `<!--` and `<script`
 * that make an end tag not one), would have put it too. When any marker is missing or elsewhere, the caller
 * parses the page as it came. Attributes cannot be checked so: they are dropped only where the scan reads the
 * page as the tokenizer does (HTML content; after SVG or MathML content that may have ended unseen, or a script
 * whose end is in doubt, none is dropped).
 */

/** Style declarations the extraction reads; an attribute holding one of these words (or an escape) is kept. */
export const HIDING_STYLE = /display|visibility|&|\\/i;

/** Bodies shorter than this stay: their markers would save nothing. */
const MIN_BODY = 128;

/** Markers hold characters no page writes (U+FDD0 is a noncharacter); a page that has them is parsed as it came. */
const MARK = '\uFDD0agentd-set-aside-';

const RAW_TEXT_END: Record<string, RegExp> = {
  script: /<\/script[\t\n\f\r />]/gi,
  style: /<\/style[\t\n\f\r />]/gi,
  xmp: /<\/xmp[\t\n\f\r />]/gi,
  iframe: /<\/iframe[\t\n\f\r />]/gi,
  noembed: /<\/noembed[\t\n\f\r />]/gi,
  noframes: /<\/noframes[\t\n\f\r />]/gi,
  textarea: /<\/textarea[\t\n\f\r />]/gi,
  title: /<\/title[\t\n\f\r />]/gi,
};

const SCRIPT_START = /<script[\t\n\f\r />]/i;

export interface LighterSource {
  /** The page with each long script and style body replaced by a short marker, its idle style attributes dropped. */
  html: string;
  /** The bodies, in the order of their markers. */
  bodies: string[];
}

/** The page with its long script and style bodies set aside and idle style attributes dropped; undefined when none is. */
export function lightenSource(html: string): LighterSource | undefined {
  if (html.includes(MARK)) return undefined;
  const parts: string[] = [];
  const bodies: string[] = [];
  let copied = 0;
  // Inside <svg> or <math>, <script> and <style> are not raw text; inside <template>, jsdom's tree does not show them.
  let foreign = 0;
  let template = 0;
  // False once this scan may read the page differently from the tokenizer: no attribute is dropped after that.
  let certain = true;
  let index = 0;
  const drop = (from: number, to: number) => {
    parts.push(html.slice(copied, from));
    copied = to;
  };
  for (;;) {
    const open = html.indexOf('<', index);
    if (open < 0) break;
    const next = html.charCodeAt(open + 1);
    if (next === 0x21 /* ! */) {
      if (html.startsWith('<!--', open)) index = commentEnd(html, open + 4);
      else if (foreign > 0 && html.startsWith('<![CDATA[', open)) {
        index = after(html, ']]>', open + 9);
        certain = false;
      } else index = after(html, '>', open + 2);
      continue;
    }
    if (next === 0x3f /* ? */) {
      index = after(html, '>', open + 2);
      continue;
    }
    if (next === 0x2f /* / */) {
      if (!isLetter(html.charCodeAt(open + 2))) {
        index = html.charCodeAt(open + 2) === 0x3e ? open + 3 : after(html, '>', open + 2);
        continue;
      }
      const tag = readTag(html, open + 2);
      index = tag.end;
      if (tag.name === 'svg' || tag.name === 'math') foreign = Math.max(0, foreign - 1);
      else if (tag.name === 'template') template = Math.max(0, template - 1);
      continue;
    }
    if (!isLetter(next)) {
      index = open + 1;
      continue;
    }
    const tag = readTag(html, open + 1);
    index = tag.end;
    if (tag.end >= html.length) break;
    if (certain && foreign === 0 && tag.styles.length === 1) {
      const style = tag.styles[0] as { from: number; to: number; value: string };
      if (style.value && !HIDING_STYLE.test(style.value)) drop(style.from, style.to);
    }
    if (tag.name === 'svg' || tag.name === 'math') {
      if (!tag.selfClosing) foreign += 1;
      continue;
    }
    if (tag.name === 'template') template += 1;
    const endPattern = RAW_TEXT_END[tag.name];
    // In SVG or MathML, or in HTML that closed them unseen: which of the two the parser is in is not known here.
    if (foreign > 0) {
      if (endPattern || tag.name === 'plaintext') certain = false;
      continue;
    }
    if (!endPattern) {
      // The rest of the page is text after <plaintext>: nothing more to find.
      if (tag.name === 'plaintext') break;
      continue;
    }
    endPattern.lastIndex = tag.end;
    const end = endPattern.exec(html)?.index ?? html.length;
    const body = html.slice(tag.end, end);
    index = end;
    // In a script, `<!--` then `<script` start the double-escaped state, where an end tag does not end it.
    const doubleEscaped = tag.name === 'script' && body.includes('<!--') && SCRIPT_START.test(body);
    if (doubleEscaped) certain = false;
    if (
      (tag.name === 'script' || tag.name === 'style') &&
      template === 0 &&
      body.length >= MIN_BODY &&
      !doubleEscaped
    ) {
      parts.push(html.slice(copied, tag.end), `${MARK}${bodies.length}`);
      bodies.push(body);
      copied = end;
    }
  }
  if (copied === 0) return undefined;
  parts.push(html.slice(copied));
  return { html: parts.join(''), bodies };
}

/**
 * Puts the bodies back into the tree parsed from `lighter.html`, as jsdom would have read them (line breaks
 * normalised, NUL replaced). False when a marker is not the whole text of exactly one HTML script or style
 * element: then the tree may differ from the page's, and the caller must parse the page as it came.
 */
export function putBack(document: Document, lighter: LighterSource): boolean {
  const texts: Text[] = [];
  for (const name of ['script', 'style'])
    for (const element of document.getElementsByTagName(name)) {
      const text = element.firstChild;
      if (text?.nodeType !== 3 || text.nextSibling || !(text as Text).data.startsWith(MARK)) continue;
      if (element.namespaceURI !== 'http://www.w3.org/1999/xhtml') return false;
      const number = Number((text as Text).data.slice(MARK.length));
      if (!Number.isInteger(number) || number >= lighter.bodies.length || texts[number]) return false;
      texts[number] = text as Text;
    }
  for (let number = 0; number < lighter.bodies.length; number += 1) if (!texts[number]) return false;
  texts.forEach((text, number) => {
    text.data = (lighter.bodies[number] as string).replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  });
  return true;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/** The index after the first `token` from `from`, or the end of the page. */
function after(html: string, token: string, from: number): number {
  const found = html.indexOf(token, from);
  return found < 0 ? html.length : found + token.length;
}

/** Where a comment whose text starts at `from` ends: `-->`, `--!>`, or at once for `<!-->` and `<!--->`. */
function commentEnd(html: string, from: number): number {
  if (html.startsWith('>', from)) return from + 1;
  if (html.startsWith('->', from)) return from + 2;
  for (let at = html.indexOf('--', from); at >= 0; at = html.indexOf('--', at + 1)) {
    if (html.startsWith('-->', at)) return at + 3;
    if (html.startsWith('--!>', at)) return at + 4;
  }
  return html.length;
}

/**
 * A tag from its name at `start` to after its `>`, as the HTML tokenizer reads it: attribute values in quotes may
 * hold `>`, an unquoted one ends at a space or `>`. `end` is the page's length when the page ends inside the tag.
 * `styles` are its `style` attributes, from the name to the end of the value, with the value as written.
 */
function readTag(
  html: string,
  start: number,
): { name: string; end: number; selfClosing: boolean; styles: Array<{ from: number; to: number; value: string }> } {
  let at = start;
  while (at < html.length && !isSpace(html.charCodeAt(at)) && html[at] !== '/' && html[at] !== '>') at += 1;
  const name = html.slice(start, at).toLowerCase();
  const styles: Array<{ from: number; to: number; value: string }> = [];
  let selfClosing = false;
  while (at < html.length) {
    const char = html[at];
    if (char === '>') return { name, end: at + 1, selfClosing, styles };
    if (char === '/') {
      selfClosing = html[at + 1] === '>';
      at += 1;
      continue;
    }
    selfClosing = false;
    if (isSpace(html.charCodeAt(at))) {
      at += 1;
      continue;
    }
    // An attribute name (a leading `=` belongs to it), then maybe a value.
    const nameStart = at;
    at += 1;
    while (at < html.length && !isSpace(html.charCodeAt(at)) && !'/>='.includes(html[at] as string)) at += 1;
    const isStyle = at - nameStart === 5 && html.slice(nameStart, at).toLowerCase() === 'style';
    while (at < html.length && isSpace(html.charCodeAt(at))) at += 1;
    if (html[at] !== '=') {
      if (isStyle) styles.push({ from: nameStart, to: nameStart + 5, value: '' });
      continue;
    }
    at += 1;
    while (at < html.length && isSpace(html.charCodeAt(at))) at += 1;
    const quote = html[at];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, at + 1);
      value = html.slice(at + 1, close < 0 ? html.length : close);
      at = close < 0 ? html.length : close + 1;
    } else {
      const valueStart = at;
      while (at < html.length && !isSpace(html.charCodeAt(at)) && html[at] !== '>') at += 1;
      value = html.slice(valueStart, at);
    }
    if (isStyle) styles.push({ from: nameStart, to: at, value });
  }
  return { name, end: html.length, selfClosing, styles };
}
