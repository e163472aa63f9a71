import { ATTRIBUTE_WORDS, BYLINE_START, CREDIT_START, DATE_WORDS, LABEL_WORDS } from './block-vocabulary.js';
import { descendantsNamed, elementsUnder, hasDescendantNamed, scopeOf, selectIn } from './element-walk.js';

/**
 * Rules that remove one kind of page chrome each, by structure (tags, class/id names, link density) and by
 * the words of its visible label. They run on the whole page before Readability (so chrome cannot win the
 * content score) and on Readability's article after it (chrome Readability kept inside the article).
 * Every rule is bounded: it never removes a block holding a large share of the page's text, so a site that
 * names its article container `post-meta-wrapper` loses nothing.
 */
export interface BlockRule {
  /** The kind of block the rule removes, as recorded in warnings and tests. */
  kind: string;
  /** Elements the rule looks at (a CSS selector). */
  selector: string;
  /** True when `element` is this kind of block and may go. */
  matches(element: Element, context: RuleContext): boolean;
}

export interface RuleContext {
  /** The scope the rules run on (page body or article). */
  root: Element;
  /** Characters of text in the whole scope (page body or article), for the bounds. */
  scopeTextLength: number;
  /**
   * Non-blank characters under an element, measured once for the scope: a cheap lower bound of its text's
   * length, so rules skip large blocks without reading their text (textContent on every block is quadratic).
   */
  weight(element: Element): number;
  /** The element's class, id, itemprop and rel, space-separated: read once for the scope (rules only remove). */
  attributes(element: Element): string;
}

const BLOCKS =
  'div, section, aside, ul, ol, p, span, header, footer, nav, figure, table, dl, li, form, small, time, address';

const LINK = new Set(['a']);
const PARAGRAPH = new Set(['p']);
const TIME = new Set(['time']);
const CONTROLS = new Set(['input', 'button', 'a']);

export function textOf(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Share of the text that links away; links within the page (`#...`: contents, footnotes) do not count. */
export function linkDensity(element: Element, textLength = textOf(element).length): number {
  if (textLength === 0) return 0;
  let linked = 0;
  const page = (element.ownerDocument.URL ?? '').split('#')[0];
  for (const link of descendantsNamed(element, LINK)) {
    // Readability makes links absolute, so an in-page link may read `https://site/page#section`.
    const href = link.getAttribute('href') ?? '';
    if (href.startsWith('#') || (href.includes('#') && href.split('#')[0] === page)) continue;
    linked += textOf(link).length;
  }
  return linked / textLength;
}

function attributes(element: Element): string {
  return `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''} ${element.getAttribute('itemprop') ?? ''} ${element.getAttribute('rel') ?? ''}`;
}

/** Small enough to be chrome: under `limit` characters and under a fifth of the scope's text. */
function small(text: string, context: RuleContext, limit: number): boolean {
  return text.length <= limit && text.length <= Math.max(200, context.scopeTextLength * 0.2);
}

/** Whether the element holds paragraphs of running text (prose, which chrome does not have). */
function holdsProse(element: Element): boolean {
  let long = 0;
  for (const paragraph of descendantsNamed(element, PARAGRAPH)) if (textOf(paragraph).length > 160) long += 1;
  return long >= 2;
}

const INLINE = new Set(['SPAN', 'TIME', 'SMALL', 'A', 'B', 'STRONG', 'EM', 'I']);

/** A line of its own: a block, or an inline element with no text or inline neighbours (not a date inside a sentence). */
function standsAlone(element: Element): boolean {
  if (!INLINE.has(element.tagName)) return true;
  const alone = (node: ChildNode | null, step: (node: ChildNode) => ChildNode | null): boolean => {
    while (node && node.nodeType === 3 && !(node.nodeValue ?? '').trim()) node = step(node);
    return !node || (node.nodeType === 1 && !INLINE.has((node as Element).tagName));
  };
  return (
    alone(element.previousSibling, (node) => node.previousSibling) &&
    alone(element.nextSibling, (node) => node.nextSibling)
  );
}

/**
 * A date's or time's digits: day, month and year (`31.05.2012`, `2012-05-31`) or hours and minutes. The groups
 * are whole: a phone number's "158-23-2012" is no date.
 */
const DATE_SHAPE =
  /(?<![\d+])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?!\d)|\d{1,2}:\d{2}/;

/** A line that is only a date/time: digits, month and weekday names and labels like "Published". */
export function isDateLine(text: string): boolean {
  if (text.length === 0 || text.length > 90 || !/\d/.test(text)) return false;
  // Digits alone are not a date ("3.1" numbers a section): a date has a month or weekday name or a date shape.
  DATE_WORDS.lastIndex = 0;
  if (!DATE_WORDS.test(text) && !DATE_SHAPE.test(text)) return false;
  const rest = text.replace(DATE_WORDS, '').replace(/[\d\s.,:;/|()\-–—+·•@]+/g, '');
  return rest.length <= Math.max(2, text.length * 0.1);
}

const byAttribute = (
  kind: keyof typeof ATTRIBUTE_WORDS,
  limit: number,
  extra: (element: Element, text: string) => boolean = () => true,
): BlockRule => ({
  kind,
  selector: BLOCKS,
  matches(element, context) {
    if (!ATTRIBUTE_WORDS[kind].test(context.attributes(element)) || context.weight(element) > limit) return false;
    const text = textOf(element);
    return small(text, context, limit) && !holdsProse(element) && extra(element, text);
  },
});

/** The rules, in the order they run. */
export const BLOCK_RULES: BlockRule[] = [
  {
    kind: 'hidden',
    selector:
      '[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], [style*="visibility:hidden"], [style*="visibility: hidden"], template',
    matches: (element, context) => textOf(element).length <= Math.max(500, context.scopeTextLength * 0.3),
  },
  // The site's cookie notice: on a page with a short article it can outweigh the article (Readability picks it).
  byAttribute('consent', 1500),
  // Captions describe the article's pictures and stay (readers and reader views keep them); their credit lines go.
  byAttribute('credit', 200),
  {
    kind: 'credit',
    selector: 'figcaption *, figcaption, p, span, small, div, em, i',
    matches: (element, context) => context.weight(element) < 100 && CREDIT_START.test(textOf(element)),
  },
  // Not a name inside a sentence: a wire story's place line (`<span class="dateline">KOBE – </span>A total of ...`).
  byAttribute('byline', 300, (element) => standsAlone(element)),
  // A <time> is left to the line rule below: by class alone it is as often a date inside a sentence or heading.
  byAttribute(
    'dateline',
    160,
    (element, text) =>
      element.tagName !== 'TIME' &&
      (isDateLine(text) ||
        (/\d/.test(text) &&
          text.length < 120 &&
          linkDensity(element, text.length) < 0.9 &&
          hasDescendantNamed(element, TIME))),
  ),
  {
    kind: 'dateline',
    selector: 'p, div, span, time, li, small, h5, h6',
    matches: (element, context) =>
      context.weight(element) <= 90 &&
      element.children.length <= 3 &&
      standsAlone(element) &&
      isDateLine(textOf(element)),
  },
  {
    kind: 'byline',
    selector: 'p, div, span, li, address, small',
    matches: (element, context) => {
      if (context.weight(element) >= 80) return false;
      const text = textOf(element);
      return text.length < 80 && text.split(' ').length <= 10 && BYLINE_START.test(text);
    },
  },
  byAttribute('tags', 600, (element, text) => linkDensity(element, text.length) > 0.5),
  byAttribute('share', 400),
  {
    kind: 'share',
    selector: BLOCKS,
    matches: (element, context) => {
      if (context.weight(element) >= 120) return false;
      const text = textOf(element);
      return text.length < 120 && small(text, context, 120) && LABEL_WORDS.share.test(text);
    },
  },
  // Up to a short paragraph: a longer box is more often a promotion the article itself makes.
  byAttribute('newsletter', 400),
  {
    kind: 'newsletter',
    selector: 'div, section, aside, form, p',
    matches: (element, context) => {
      if (context.weight(element) >= 300) return false;
      const text = textOf(element);
      return (
        text.length < 300 &&
        small(text, context, 300) &&
        LABEL_WORDS.newsletter.test(text) &&
        hasDescendantNamed(element, CONTROLS)
      );
    },
  },
  byAttribute('comments', 100_000, (_element, text) => text.length > 0),
  {
    kind: 'comment-policy',
    selector: 'p, div, section, form, h2, h3, h4',
    matches: (element, context) => {
      if (context.weight(element) >= 300) return false;
      const text = textOf(element);
      return text.length < 300 && small(text, context, 300) && LABEL_WORDS.commentPolicy.test(text);
    },
  },
  byAttribute('related', 3000, (element, text) => linkDensity(element, text.length) > 0.3),
  {
    kind: 'related',
    // With `a`: a shop's "Customers also bought" is often the link of a tab.
    selector: 'h2, h3, h4, h5, h6, p, strong, b, span, div, a',
    matches: (element, context) => {
      if (context.weight(element) >= 60) return false;
      const text = textOf(element);
      return text.length < 60 && element.children.length <= 2 && LABEL_WORDS.related.test(text);
    },
  },
  byAttribute('navigation', 2000, (element, text) => linkDensity(element, text.length) > 0.5),
  // Whatever its share of links: a trail often ends in the page's own title, as text, longer than its links.
  byAttribute('breadcrumb', 400),
  // "Rate this post", stars and vote counts: a widget by its name, a prompt by its words.
  byAttribute('rating', 300),
  {
    kind: 'rating',
    selector: 'p, div, span, strong, h3, h4, h5, h6, label',
    matches: (element, context) => {
      if (context.weight(element) >= 100) return false;
      const text = textOf(element);
      return text.length < 100 && LABEL_WORDS.rating.test(text);
    },
  },
  // The post's footer of filing details ("posted on ... in ... by ..., tags, permalink"), up to a short paragraph.
  byAttribute('post-footer', 600),
];

/** Blocks that are mostly links: menus, link lists, "more" boxes. Lists need a higher density, since articles list sources. */
export const LINK_BLOCK_RULE: BlockRule = {
  kind: 'link-list',
  // Not tables: a table of links is data (an infobox, a schedule) more often than chrome.
  selector: 'ul, ol, div, section, nav, p, dl',
  matches(element, context) {
    if (context.weight(element) > 1500) return false;
    const text = textOf(element);
    if (text.length === 0 || !small(text, context, 1500)) return false;
    const density = linkDensity(element, text.length);
    const links = descendantsNamed(element, LINK).length;
    // A paragraph of two links is a pair of buttons ("Try it now", "Learn more") that belong to the text.
    if (element.tagName === 'P') return density > 0.8 && links >= 3;
    return links >= 3 && density > (element.tagName === 'UL' || element.tagName === 'OL' ? 0.8 : 0.6);
  },
};

/** Removes what each rule matches under `root`, telling `onRemove` of each; returns how many blocks of each kind went. */
export function applyRules(
  root: Element,
  rules: BlockRule[],
  onRemove?: (kind: string, element: Element) => void,
): Record<string, number> {
  const removed: Record<string, number> = {};
  // One walk for all the rules: rules only remove, so this list, less what went, is what each rule would query.
  const scope = scopeOf(root);
  const weights = measure(root, scope.elements);
  const names = new Map<Element, string>();
  const context: RuleContext = {
    root,
    scopeTextLength: textOf(root).length,
    weight: (element) => weights.get(element) ?? 0,
    attributes(element) {
      const known = names.get(element);
      if (known !== undefined) return known;
      const value = attributes(element);
      names.set(element, value);
      return value;
    },
  };
  // Elements removed so far, with everything inside them (instead of root.contains(), which walks up each time).
  const gone = new Set<Element>();
  for (const rule of rules) {
    for (const element of selectIn(scope, rule.selector) ?? root.querySelectorAll(rule.selector)) {
      if (gone.has(element)) continue;
      if (rule.matches(element, context)) {
        onRemove?.(rule.kind, element);
        element.remove();
        gone.add(element);
        for (const inside of elementsUnder(element)) gone.add(inside);
        removed[rule.kind] = (removed[rule.kind] ?? 0) + 1;
      }
    }
  }
  return removed;
}

/**
 * Non-blank characters under `root` and each of its `elements` (in document order): summed backwards, so
 * each element's children are counted before it.
 */
function measure(root: Element, elements: Element[]): Map<Element, number> {
  const weights = new Map<Element, number>();
  for (let index = elements.length - 1; index >= -1; index -= 1) {
    const element = index < 0 ? root : (elements[index] as Element);
    let total = 0;
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) total += weights.get(child as Element) ?? 0;
      else if (child.nodeType === 3) total += (child.nodeValue ?? '').replace(/\s+/g, '').length;
    }
    weights.set(element, total);
  }
  return weights;
}
