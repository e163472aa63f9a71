import { applyRules, BLOCK_RULES, LINK_BLOCK_RULE, linkDensity, textOf } from './block-rules.js';
import { namedContainer, UNSEEN } from './content-container.js';
import { descendantsNamed } from './element-walk.js';
import type { Extracted } from './extracted.js';
import { ARTICLE_CHROME_RULES } from './article-chrome-rules.js';
import { jsonLdArticleBody } from './json-ld.js';
import { findLeads, restoreLeads } from './lead-paragraph.js';
import { toMarkdown } from './markdown.js';
import { revealNoscriptText } from './noscript-text.js';
import { parsePage, releasePage } from './parse-page.js';
import { ORPHAN_HEADING_RULE, TEASER_RULE } from './section-rules.js';
import { WalkingReadability } from './walking-readability.js';

/** Rules run again inside Readability's article: what it kept of captions, bylines, share and related blocks. */
const ARTICLE_RULES = [
  ...BLOCK_RULES.filter((rule) => rule.kind !== 'hidden'),
  ...ARTICLE_CHROME_RULES,
  LINK_BLOCK_RULE,
  TEASER_RULE,
  // Last: the headings of blocks the rules before it removed.
  ORPHAN_HEADING_RULE,
];

const CONSENT_RULES = BLOCK_RULES.filter((rule) => rule.kind === 'consent');

interface Candidate {
  element: HTMLElement;
  /** Where the candidate comes from: Readability's pick or a container the page names. */
  source: 'readability' | 'article-body' | 'named';
  text: string;
  title: string;
  byline: string | null;
  lang: string | null;
  publishedTime: string | null;
}

/**
 * One page through jsdom and Readability, cleaned before and after by the block rules. When the result looks
 * wrong (short against the page or its JSON-LD `articleBody`, or mostly link text), a second candidate is
 * Readability on the page without the first cleaning, and the better of the two is kept. Throws what jsdom or
 * Readability throw; the caller falls back.
 */
export function extractArticle(html: string, url: string): Extracted {
  const first = readable(html, url, true);
  let best = first.candidate;
  for (const alternative of first.alternatives)
    if (!best || preferAlternative(alternative, best, first.articleBody)) best = alternative;
  if (!best || looksWrong(best, first.pageTextLength, first.articleBody)) {
    const second = readable(html, url, false).candidate;
    if (second && (!best || better(second, best, first.articleBody))) best = second;
  }
  if (best) restoreLeads(best.element, best.text, first.leads);
  if (!best) {
    const content = first.articleBody || first.bodyText;
    return { title: first.title, byline: null, lang: first.lang, publishedTime: null, content };
  }
  return {
    title: best.title || first.title,
    byline: best.byline,
    lang: best.lang,
    publishedTime: best.publishedTime,
    content: toMarkdown(best.element),
  };
}

function readable(html: string, url: string, cleanFirst: boolean) {
  const document = parsePage(html, url);
  try {
    return readableIn(document, cleanFirst);
  } finally {
    // The candidates are out of the tree by now: Readability's article is built apart, the others are clones.
    releasePage(document);
  }
}

function readableIn(document: Document, cleanFirst: boolean) {
  const title = document.title.replace(/\s+/g, ' ').trim();
  const lang = document.documentElement.getAttribute('lang') || null;
  const articleBody = jsonLdArticleBody(document);
  const body = document.body;
  if (body) revealNoscriptText(body);
  const bodyText = body ? textOf(body) : '';
  // The byline rule removes what Readability would have read the author from: keep its text as metadata.
  let removedByline: string | null = null;
  if (cleanFirst && body)
    applyRules(body, BLOCK_RULES, (kind, element) => {
      if (kind === 'byline' && !removedByline) removedByline = textOf(element).slice(0, 200) || null;
    });
  // Without the cleaning, a cookie notice can still outscore a short article: it is never the article.
  else if (body) applyRules(body, CONSENT_RULES);
  // Read now: Readability takes the page apart, and leaves a lead in the header it does not keep.
  const leads = cleanFirst && body ? findLeads(body) : [];
  // Cloned now: Readability moves the page's nodes into its article and leaves the rest in pieces.
  const alternatives: Array<{ element: HTMLElement; source: Candidate['source'] }> = [];
  if (cleanFirst && body) {
    const named = namedContainer(body);
    if (named) {
      const element = named.element.cloneNode(true) as HTMLElement;
      // As Readability does: scripts and styles would count as text when the candidates are compared.
      for (const unseen of descendantsNamed(element, UNSEEN)) unseen.remove();
      alternatives.push({ element, source: named.articleBody ? 'article-body' : 'named' });
    }
  }
  const article = new WalkingReadability(document, {
    keepClasses: true,
    serializer: (element) => element as unknown as string,
  }).parse();
  const element = article?.content as unknown as HTMLElement | undefined;
  let candidate: Candidate | undefined;
  if (article && element) {
    applyRules(element, ARTICLE_RULES);
    candidate = {
      element,
      source: 'readability',
      text: textOf(element),
      title: (article.title ?? '').trim(),
      byline: article.byline?.trim() || removedByline,
      lang: article.lang || lang,
      publishedTime: article.publishedTime ?? null,
    };
  }
  const alternativeCandidates = alternatives.map(({ element, source }): Candidate => {
    applyRules(element, ARTICLE_RULES);
    return {
      element,
      source,
      text: textOf(element),
      title: candidate?.title || title,
      byline: candidate?.byline ?? removedByline,
      lang: candidate?.lang ?? lang,
      publishedTime: candidate?.publishedTime ?? null,
    };
  });
  return {
    candidate,
    alternatives: alternativeCandidates,
    leads,
    title,
    lang,
    articleBody,
    bodyText,
    pageTextLength: bodyText.length,
  };
}

/** Too short against the page's declared article or the page itself, or mostly links: likely the wrong block. */
function looksWrong(candidate: Candidate, pageTextLength: number, articleBody: string): boolean {
  if (articleBody.length > 400 && candidate.text.length < articleBody.length * 0.6) return true;
  if (candidate.text.length < 250 && pageTextLength > 2000) return true;
  return linkDensity(candidate.element, candidate.text.length) > 0.5;
}

/** Prefers the candidate that covers more of the JSON-LD article body; without one, the longer one unless it is mostly links. */
function better(challenger: Candidate, incumbent: Candidate, articleBody: string): boolean {
  if (articleBody.length > 400)
    return coverage(challenger.text, articleBody) > coverage(incumbent.text, articleBody) + 0.1;
  // A short article in the block the page names as its body is still the article: only a superset replaces it.
  if (incumbent.source === 'article-body' && coverage(challenger.text, incumbent.text) < 0.7) return false;
  const density = linkDensity(challenger.element, challenger.text.length);
  return density < 0.5 && challenger.text.length > incumbent.text.length * 1.5;
}

/**
 * Whether the container the page names beats Readability's pick: by the JSON-LD article body when the page
 * declares one, else when it holds more than twice the text and is not mostly links (trafilatura's rule when
 * it compares its own result with Readability's).
 */
function preferAlternative(alternative: Candidate, incumbent: Candidate, articleBody: string): boolean {
  if (articleBody.length > 400)
    return coverage(alternative.text, articleBody) > coverage(incumbent.text, articleBody) + 0.1;
  // The page names this block as its article's body and the incumbent holds little of it: a different block
  // (an author's box, a sidebar's text). Whatever its links: show notes and link posts are the article too, and
  // the named body is under half links (`namedContainer`).
  if (alternative.source === 'article-body' && coverage(incumbent.text, alternative.text) < 0.3) return true;
  if (linkDensity(alternative.element, alternative.text.length) >= 0.3) return false;
  return alternative.text.length > incumbent.text.length * 2;
}

/** Share of the reference's words found in `text`. */
function coverage(text: string, reference: string): number {
  const present = new Set(text.toLowerCase().split(/\s+/));
  const words = reference.toLowerCase().split(/\s+/).filter(Boolean);
  return words.length === 0 ? 0 : words.filter((word) => present.has(word)).length / words.length;
}
