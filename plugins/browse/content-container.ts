import { linkDensity, textOf } from './block-rules.js';
import { descendantsNamed, scopeOf, selectAll } from './element-walk.js';

/**
 * Where a page says its main text is: the containers that publishing systems name after their content
 * (`entry-content`, `post-body`, `article__body`, `itemprop="articleBody"`, then `<article>`, then theme names
 * such as `story-content`, then the broader `#content` and `<main>`), in the order trafilatura (the best of the published extractors on its own
 * evaluation set) tries them. Readability scores paragraphs and climbs to their best-scoring parent, which
 * goes wrong on pages whose text is not in long `<p>`s: blog posts of `<br>`-separated lines, recipes, shop
 * pages, forum threads. A container the site named is a second, independent opinion.
 */
const CONTAINERS: string[][] = [
  // The names of an article's body, from the most specific.
  [
    '[itemprop="articleBody"]',
    '[class*="post-text"]',
    '[class*="post_text"]',
    '[class*="post-body"]',
    '[class*="post-entry"]',
    '[class*="postentry"]',
    '[class*="post-content"]',
    '[class*="post_content"]',
    '[class*="postcontent" i]',
    '[class*="article-text"]',
    '[class*="articletext" i]',
    '[id*="entry-content"]',
    '[class*="entry-content"]',
    '[id*="article-content"]',
    '[class*="article-content"]',
    '[id*="article__content"]',
    '[class*="article__content"]',
    '[id*="article-body"]',
    '[class*="article-body"]',
    '[id*="article__body"]',
    '[class*="article__body"]',
    '[id*="articlebody" i]',
    '[class*="articlebody" i]',
    '[id="articleContent"]',
    '[class*="page-content"]',
    '[class*="text-content"]',
    '[id*="body-text"]',
    '[class*="body-text"]',
    '[class*="article__container"]',
    '[id*="art-content"]',
    '[class*="art-content"]',
  ],
  ['article'],
  // Names of blog and CMS themes for the same thing.
  [
    '[class*="post-bodycopy"]',
    '[class*="storycontent"]',
    '[class*="story-content"]',
    '[class="postarea"]',
    '[class*="theme-content"]',
    '[class*="blog-content"]',
    '[class*="section-content"]',
    '[class*="single-content"]',
    '[class*="single-post"]',
    '[class*="main-column"]',
    '[class*="wpb_text_column"]',
    '[class^="story-body"]',
    '[id^="story-body"]',
    '[class*="field-body"]',
    '[class*="fulltext"]',
  ],
  // The page's content column: broader, so tried last.
  [
    '[id*="content-main"]',
    '[class*="content-main"]',
    '[class*="content_main"]',
    '[id*="content-body"]',
    '[class*="content-body"]',
    '[id*="contentBody"]',
    '[class*="content__body"]',
    '[id*="main-content" i]',
    '[class*="main-content" i]',
    '[id="content"]',
    '[class="content"]',
  ],
  ['[role="main"]', 'main', '[id^="main"]', '[class^="main"]'],
];

const CONTAINER_TAGS = new Set(['ARTICLE', 'DIV', 'MAIN', 'SECTION', 'TD']);

/** Less text than this is not an article's body, whatever its name (trafilatura's minimum extracted size). */
const MIN_TEXT = 250;

export interface NamedContainer {
  element: Element;
  /** Named as the article's body itself (`articleBody`, `entry-content`...), not by a theme's wrapper names. */
  articleBody: boolean;
}

/**
 * The container of the first group above that names one holding at least a short article's worth of text that
 * is mostly not links (of several, the one with the most text: a page lists teasers as `<article>`s too);
 * undefined when the page names none. Read before Readability runs, since Readability takes the page apart.
 */
export function namedContainer(body: Element): NamedContainer | undefined {
  // One walk for all the groups: jsdom's querySelectorAll matched each of these selectors against every element.
  const scope = scopeOf(body);
  for (const [index, group] of CONTAINERS.entries()) {
    let best: Element | undefined;
    let bestLength = MIN_TEXT - 1;
    for (const element of selectAll(scope, group.join(', '))) {
      if (!CONTAINER_TAGS.has(element.tagName)) continue;
      const length = visibleTextLength(element);
      if (length > bestLength && linkDensity(element, length) < 0.5) {
        best = element;
        bestLength = length;
      }
    }
    if (best) return { element: best, articleBody: index === 0 };
  }
  return undefined;
}

/** Markup whose text a reader never sees (a page's scripts and styles sit in its content column too). */
export const UNSEEN = new Set(['script', 'style', 'noscript', 'template']);

/** The length of the text under `element` less its scripts and styles, which can be ten times the article's. */
export function visibleTextLength(element: Element): number {
  let length = textOf(element).length;
  for (const unseen of descendantsNamed(element, UNSEEN)) length -= textOf(unseen).length;
  return Math.max(0, length);
}
