/**
 * The bodies of a page's `<script>` and `<style>` elements, set aside before jsdom parses the page and put back
 * into the parsed tree after. parse5 tokenizes raw text one character at a time, and inline scripts and styles
 * are a third of a typical page's bytes: a quarter of the parse. Nothing is dropped: every body is put back, as
 * the text jsdom would have made of it, before anything reads the tree (the block rules measure script text,
 * Readability and `json-ld.ts` read JSON-LD scripts), so the tree is the one jsdom builds from the whole page.
 *
 * The scan here is not a full HTML tokenizer: it follows tags, attributes, comments and raw-text elements well
 * enough to find where a body starts and ends. It need not be right on every page, because `putBack` checks the
 * parse instead: each body's marker must be the whole text of one HTML `<script>` or `<style>` element. Then
 * the tokenizer was in that element's raw-text state from its first character to its end tag, where the
 * original body, which holds no end tag for it (nor, for a script, a `<!--` that changes how one is found),
 * would have put it too. When any marker is missing or elsewhere, the caller parses the page as it came.
 */

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

export interface SetAside {
  /** The page with each long script and style body replaced by a short marker. */
  html: string;
  /** The bodies, in the order of their markers. */
  bodies: string[];
}

/** The page with its long script and style bodies set aside; undefined when there is none to set aside. */
export function setAsideRawText(html: string): SetAside | undefined {
  if (html.includes(MARK)) return undefined;
  const parts: string[] = [];
  const bodies: string[] = [];
  let copied = 0;
  // Inside <svg> or <math>, <script> and <style> are not raw text; inside <template>, jsdom's tree does not show them.
  let foreign = 0;
  let template = 0;
  let index = 0;
  for (;;) {
    const open = html.indexOf('<', index);
    if (open < 0) break;
    const next = html.charCodeAt(open + 1);
    if (next === 0x21 /* ! */) {
      if (html.startsWith('<!--', open)) index = commentEnd(html, open + 4);
      else if (foreign > 0 && html.startsWith('<![CDATA[', open)) index = after(html, ']]>', open + 9);
      else index = after(html, '>', open + 2);
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
    if (tag.name === 'svg' || tag.name === 'math') {
      if (!tag.selfClosing) foreign += 1;
      continue;
    }
    if (tag.name === 'template') template += 1;
    const endPattern = foreign === 0 ? RAW_TEXT_END[tag.name] : undefined;
    if (!endPattern) {
      // The rest of the page is text after <plaintext>: nothing more to find.
      if (tag.name === 'plaintext' && foreign === 0) break;
      continue;
    }
    endPattern.lastIndex = tag.end;
    const end = endPattern.exec(html)?.index ?? html.length;
    const body = html.slice(tag.end, end);
    index = end;
    // In a script, `<!--` starts the escaped states, where an end tag may not end it: such a body stays.
    if (
      (tag.name === 'script' || tag.name === 'style') &&
      template === 0 &&
      body.length >= MIN_BODY &&
      !(tag.name === 'script' && body.includes('<!--'))
    ) {
      parts.push(html.slice(copied, tag.end), `${MARK}${bodies.length}`);
      bodies.push(body);
      copied = end;
    }
  }
  if (bodies.length === 0) return undefined;
  parts.push(html.slice(copied));
  return { html: parts.join(''), bodies };
}

/**
 * Puts the bodies back into the tree parsed from `setAside.html`, as jsdom would have read them (line breaks
 * normalised, NUL replaced). False when a marker is not the whole text of exactly one HTML script or style
 * element: then the tree may differ from the page's, and the caller must parse the page as it came.
 */
export function putBack(document: Document, setAside: SetAside): boolean {
  const texts: Text[] = [];
  for (const name of ['script', 'style'])
    for (const element of document.getElementsByTagName(name)) {
      const text = element.firstChild;
      if (text?.nodeType !== 3 || text.nextSibling || !(text as Text).data.startsWith(MARK)) continue;
      if (element.namespaceURI !== 'http://www.w3.org/1999/xhtml') return false;
      const number = Number((text as Text).data.slice(MARK.length));
      if (!Number.isInteger(number) || number >= setAside.bodies.length || texts[number]) return false;
      texts[number] = text as Text;
    }
  for (let number = 0; number < setAside.bodies.length; number += 1) if (!texts[number]) return false;
  texts.forEach((text, number) => {
    text.data = (setAside.bodies[number] as string).replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
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
 */
function readTag(html: string, start: number): { name: string; end: number; selfClosing: boolean } {
  let at = start;
  while (at < html.length && !isSpace(html.charCodeAt(at)) && html[at] !== '/' && html[at] !== '>') at += 1;
  const name = html.slice(start, at).toLowerCase();
  let selfClosing = false;
  while (at < html.length) {
    const char = html[at];
    if (char === '>') return { name, end: at + 1, selfClosing };
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
    at += 1;
    while (at < html.length && !isSpace(html.charCodeAt(at)) && !'/>='.includes(html[at] as string)) at += 1;
    while (at < html.length && isSpace(html.charCodeAt(at))) at += 1;
    if (html[at] !== '=') continue;
    at += 1;
    while (at < html.length && isSpace(html.charCodeAt(at))) at += 1;
    const quote = html[at];
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, at + 1);
      at = close < 0 ? html.length : close + 1;
    } else while (at < html.length && !isSpace(html.charCodeAt(at)) && html[at] !== '>') at += 1;
  }
  return { name, end: html.length, selfClosing };
}
