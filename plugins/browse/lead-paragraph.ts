import { textOf } from './block-rules.js';
import { descendantsNamed, elementsUnder, hasDescendantNamed } from './element-walk.js';

/**
 * The article's lead (standfirst, subtitle, intro, "bajada"): the sentence or two under the headline that
 * news and CMS templates put in the article's header, beside the title rather than in the body. Readability
 * scores the body's paragraphs and keeps their best parent, which leaves the header (and the lead in it)
 * out; trafilatura's annotators count the lead as the article's text. A lead is found by its name and kept
 * only when the chosen article's text starts right after it in the page.
 */

/**
 * Class/id tokens of a lead: `lead`, `article-lead`, `standfirst`, `subtitle`, `entry-summary`, `bajada`, and
 * `teaser`, which is what German newsrooms call the lead (a teaser card is told apart by what follows it).
 */
const LEAD_NAME =
  /(?:^|[\s_-])(?:lead(?:-?text|-?in|er)?|lede|standfirst|sub-?title|sub-?headline|subhead|deck|dek|intro(?:-?text)?|abstract|summary|excerpt|description|teaser(?:-?text)?|strapline|perex|chapo|chapeau|bajada|entradilla|sumario|vorspann|anriss|einleitung)(?:$|[\s_-])/i;
/** The same words in a camel-case name (`documentDescription`, `articleLead`). */
const LEAD_CAMEL = /[a-z](?:Lead|Standfirst|Subtitle|Intro|Abstract|Summary|Excerpt|Description|Teaser)(?:$|[\s_A-Z-])/;

/** The site's own description or tagline under its name, which is on every page. */
const SITE_NAME = /(?:site|blog|channel|shop)-?(?:description|desc|subtitle|tagline|intro)/i;

/**
 * A lead's block holds its sentences (as a subtitle `<h2>` or a list of key points too), not the title, nor a
 * picture: a block with a picture and a line of text is a hero or a teaser, and its text is the picture's credit.
 */
const TITLE_OR_PICTURE = new Set(['h1', 'img', 'picture', 'figure', 'video']);

const LEAD_TAGS = new Set(['P', 'DIV', 'H2', 'H3', 'SPAN', 'SECTION']);

/** A lead is a sentence or a short paragraph: shorter is a label, longer is a body the candidate would hold. */
const MIN_LEAD = 40;
const MAX_LEAD = 800;
/** The article's text must start within this much other text (a byline, a date, a caption) after the lead. */
const MAX_GAP = 300;
/** How long the first text after the lead must be to stand for the article's start. */
const MIN_ANCHOR = 60;
const ANCHORS = 3;
/** Leads put back per article at most. */
const MAX_LEADS = 2;

export interface Lead {
  /** The lead's text, whitespace collapsed. */
  text: string;
  /** The starts of the first longer texts after the lead in the page: the article's first paragraphs. */
  anchors: string[];
}

/** The named leads of a page (after the block rules, before Readability takes the page apart), in page order. */
export function findLeads(body: Element): Lead[] {
  const leads: Lead[] = [];
  let last: Element | undefined;
  for (const element of elementsUnder(body)) {
    if (last?.contains(element) || !LEAD_TAGS.has(element.tagName)) continue;
    const name = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    // By name, or as HTML's own subtitle: a paragraph or heading beside the title in an `<hgroup>`.
    const subtitle = element.parentElement?.tagName === 'HGROUP';
    if (!subtitle && !LEAD_NAME.test(name) && !LEAD_CAMEL.test(name)) continue;
    const text = textOf(element);
    if (text.length < MIN_LEAD || text.length > MAX_LEAD) continue;
    // No link away: a card that previews another page (which the rules may have removed from the article) has one.
    if (SITE_NAME.test(name) || linksAway(element)) continue;
    // Not in a link, a menu or a figure (a caption's `image-description`), nor holding the title or a picture.
    if (element.closest('a, nav, footer, aside, li, figure') || hasDescendantNamed(element, TITLE_OR_PICTURE)) continue;
    const anchors = articleStartsAfter(element);
    if (anchors.length === 0) continue;
    leads.push({ text, anchors });
    last = element;
  }
  return leads;
}

/** Whether the element holds a link to another page (in-page links, `#...`, are footnotes and contents). */
function linksAway(element: Element): boolean {
  for (const link of descendantsNamed(element, LINK)) {
    const href = link.getAttribute('href') ?? '';
    if (href !== '' && !href.startsWith('#') && !href.startsWith('javascript:')) return true;
  }
  return false;
}

const LINK = new Set(['a']);

/**
 * The starts of the first ANCHORS texts of at least MIN_ANCHOR characters after `element`'s subtree, while the
 * shorter texts between add up to at most MAX_GAP characters. More than one: an audio player's or a picture's
 * long title can stand between the lead and the article's first paragraph.
 */
function articleStartsAfter(element: Element): string[] {
  const anchors: string[] = [];
  let gap = 0;
  let node = following(element, false);
  for (let steps = 0; node && steps < 2000; steps += 1, node = following(node, true)) {
    if (node.nodeType !== 3) continue;
    const text = (node.nodeValue ?? '').replace(/\s+/g, ' ').trim();
    if (text.length >= MIN_ANCHOR) {
      anchors.push(text.slice(0, MIN_ANCHOR));
      if (anchors.length === ANCHORS) break;
    } else {
      gap += text.length;
      if (gap > MAX_GAP) break;
    }
  }
  return anchors;
}

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);

/** The node after `node` in document order (into its children when `enter`), never into scripts or styles. */
function following(node: Node, enter: boolean): Node | null {
  if (enter && node.firstChild && !(node.nodeType === 1 && SKIPPED.has((node as Element).tagName)))
    return node.firstChild;
  let current: Node | null = node;
  while (current && !current.nextSibling) current = current.parentNode;
  return current?.nextSibling ?? null;
}

/**
 * Puts back, at the top of `article`, each lead whose article is this one (one of its anchors is in `text`, the
 * article's text) and which the article lacks; returns how many. At most the last MAX_LEADS in the page, nearest
 * the article's start: an article has a subtitle and a lead paragraph, more are a row of cards above it.
 */
export function restoreLeads(article: HTMLElement, text: string, leads: Lead[]): number {
  const ours = leads.filter((lead) => lead.anchors.some((anchor) => text.includes(anchor))).slice(-MAX_LEADS);
  const missing = ours.filter((lead) => !holds(text, lead.text));
  for (const lead of missing.reverse()) {
    const paragraph = article.ownerDocument.createElement('p');
    paragraph.textContent = lead.text;
    article.prepend(paragraph);
  }
  return missing.length;
}

/**
 * Whether the article's text already holds the lead: its start and its end. A lead often opens with the body's
 * first sentence and goes on with a summary of its own ("... fordern eine Prämie. In einem ersten Gespräch
 * zeigte sich die Ministerin offen"), which the body does not hold.
 */
function holds(text: string, lead: string): boolean {
  return text.includes(lead.slice(0, 60)) && text.includes(lead.slice(-60));
}
