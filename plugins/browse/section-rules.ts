import type { BlockRule } from './block-rules.js';
import { descendantsNamed } from './element-walk.js';

/**
 * Rules that judge a block by where it stands in the article rather than by its name or words. They run on
 * the chosen article, after the block rules, since what they find is mostly what those rules leave behind.
 */

const HEADINGS = 'h1, h2, h3, h4, h5, h6';
// By tag through element-walk.ts: selectors on every block went through jsdom's selector engine.
const CARD_HEADINGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6']);
const PARAGRAPH = new Set(['p']);

const rank = (heading: Element) => Number(heading.tagName.slice(1));

/** The first text after `element`'s subtree (in document order, within its tree), or undefined at the end. */
function nextText(element: Element): Text | undefined {
  let node: Node | null = element;
  for (;;) {
    while (node && !node.nextSibling) node = node.parentNode;
    if (!node) return undefined;
    node = node.nextSibling as Node;
    // Descend into `node` in document order, looking for non-blank text.
    const found = firstText(node);
    if (found) return found;
  }
}

function firstText(node: Node): Text | undefined {
  if (node.nodeType === 3) return (node.nodeValue ?? '').trim() ? (node as Text) : undefined;
  if (node.nodeType !== 1 || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes((node as Element).tagName)) return undefined;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    const found = firstText(child);
    if (found) return found;
  }
  return undefined;
}

/**
 * A heading with nothing under it: the article ends after it, or the next text is a heading of a higher rank. It is the title of a block next to the article (related stories, a newsletter box, a comment
 * form) whose content a rule removed or Readability left out, and it reads as the start of a section that
 * never comes.
 */
export const ORPHAN_HEADING_RULE: BlockRule = {
  kind: 'orphan-heading',
  selector: HEADINGS,
  matches(element) {
    const next = nextText(element);
    if (!next) return true;
    // Only a heading of a higher rank: two headings of one rank in a row are also a series of short sections
    // whose content is a picture or a video.
    const heading = next.parentElement?.closest(HEADINGS);
    return heading != null && rank(heading) < rank(element);
  },
};

function withoutHash(address: string, base: string): string {
  try {
    const url = new URL(address, base);
    url.hash = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return address;
  }
}

/** The heading, if any, whose whole text is one link to another page (not the page itself: a blog links its title). */
function linkedHeading(element: Element): Element | undefined {
  const page = withoutHash(element.ownerDocument.URL, element.ownerDocument.URL);
  for (const heading of descendantsNamed(element, CARD_HEADINGS)) {
    const link = heading.closest('a') ?? heading.querySelector('a');
    const href = link?.getAttribute('href');
    if (!link || !href || href.startsWith('#')) continue;
    const headingText = (heading.textContent ?? '').trim();
    if (headingText.length === 0 || (link.textContent ?? '').trim().length < headingText.length) continue;
    if (withoutHash(href, element.ownerDocument.URL) !== page) return heading;
  }
  return undefined;
}

/**
 * A teaser: a small card (list item, figure, article, box) whose heading is a link to another page, with at
 * most a line or two of summary: "more on the subject" boxes, related posts and next-article previews that
 * sit inside an article's markup. An article's own sections have headings that are not links.
 */
export const TEASER_RULE: BlockRule = {
  kind: 'teaser',
  selector: 'li, figure, article, aside, div, section',
  matches(element, context) {
    if (context.weight(element) > 400 || context.weight(element) > context.scopeTextLength * 0.2) return false;
    if (descendantsNamed(element, PARAGRAPH).length > 2) return false;
    return linkedHeading(element) !== undefined;
  },
};
