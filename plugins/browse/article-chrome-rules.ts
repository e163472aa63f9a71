import type { BlockRule, RuleContext } from './block-rules.js';
import { isDateLine, linkDensity, textOf } from './block-rules.js';
import { ATTRIBUTE_WORDS, BYLINE_START, LABEL_WORDS } from './block-vocabulary.js';
import { descendantsNamed, elementsUnder, hasDescendantNamed } from './element-walk.js';

/**
 * Rules for chrome inside the chosen article's markup, where Readability keeps it, or inside the container a
 * page names as its content: picture captions, cards previewing other pages, "read also" lines pointing at
 * other articles, the publisher's prompts to the reader (subscribe, download the app, donate), author boxes,
 * lines of filing details, teasers named as such, a theme's sidebar widgets, disclaimers and the labels of
 * show/hide controls. They run on each candidate article, after the block rules.
 */

const PARAGRAPH = new Set(['p']);

/** Whether the element holds two paragraphs of running text: a block of the article, whatever its name. */
function holdsProse(element: Element): boolean {
  let long = 0;
  for (const paragraph of descendantsNamed(element, PARAGRAPH)) if (textOf(paragraph).length > 160) long += 1;
  return long >= 2;
}

/** Under `limit` characters and under a fifth of the article (200 characters at least). */
function withinShare(element: Element, context: RuleContext, limit: number): boolean {
  const weight = context.weight(element);
  return weight <= limit && weight <= Math.max(200, context.scopeTextLength * 0.2);
}

/** Under `limit` characters and under a fifth of the article, and no prose: never a block that carries the article. */
function minor(element: Element, context: RuleContext, limit: number): boolean {
  return withinShare(element, context, limit) && !holdsProse(element);
}

/**
 * A short block, at most `limit` characters, whose text `words` match: a label, a line, a prompt. With
 * `notProse`, also never two paragraphs of running text.
 */
function saysShortly(element: Element, context: RuleContext, limit: number, words: RegExp, notProse = false): boolean {
  if (context.weight(element) > limit) return false;
  const text = textOf(element);
  return text.length <= limit && (!notProse || !holdsProse(element)) && words.test(text);
}

const isCaption = (element: Element, context: RuleContext) =>
  element.tagName === 'FIGCAPTION' || ATTRIBUTE_WORDS.caption.test(context.attributes(element));

/**
 * Captions holding more than this share of the article's text are its content: a gallery or photo essay,
 * where the pictures and their captions are what the page says. (The Readability corpus's expected outputs,
 * which keep captions, have them at 4.7% of the text and more where they are long: citylab, nytimes.)
 */
const GALLERY_SHARE = 0.04;

const galleries = new WeakMap<RuleContext, boolean>();

/** Whether the scope's captions, together, hold more than GALLERY_SHARE of its text (read once per scope). */
function isGallery(context: RuleContext): boolean {
  let gallery = galleries.get(context);
  if (gallery === undefined) {
    let captions = 0;
    let last: Element | undefined;
    for (const element of elementsUnder(context.root)) {
      if (last?.contains(element) || !CAPTION_TAGS.has(element.tagName) || !isCaption(element, context)) continue;
      captions += textOf(element).length;
      last = element;
    }
    // The text as the rules before this one left it: a page's comments or menus do not make its captions fewer.
    gallery = captions > textOf(context.root).length * GALLERY_SHARE;
    galleries.set(context, gallery);
  }
  return gallery;
}

const CAPTION_TAGS = new Set(['FIGCAPTION', 'DIV', 'P', 'SPAN', 'SMALL', 'EM', 'H2', 'H3', 'H4', 'H5', 'H6']);

/**
 * A picture's caption (`<figcaption>`, or a block named `caption`, `wp-caption-text`, `bildunterschrift`,
 * `légende`, `didascalia`, `image-description`) beside a text: it describes a picture the text does not
 * show, and trafilatura's annotators count it as chrome. In a gallery (see GALLERY_SHARE) only a label goes: a
 * caption of one short line (LABEL_CAPTION) names what a picture shows ("Jane Doe at the opening. Photo: AP"),
 * where a gallery's longer captions tell its story. A table's `<caption>` is the table's own title and stays.
 */
export const CAPTION_RULE: BlockRule = {
  kind: 'caption',
  selector: 'figcaption, div, p, span, small, em, h2, h3, h4, h5, h6',
  matches: (element, context) =>
    isCaption(element, context) &&
    minor(element, context, 600) &&
    (context.weight(element) <= LABEL_CAPTION || !isGallery(context)),
};

/** The longest caption that is a label of its picture, in non-blank characters: one short line. */
const LABEL_CAPTION = 90;

/**
 * A card that previews another page (WordPress' `wp-embedded-content`, embedly and reddit cards). Embedded
 * posts themselves (tweets, Instagram, Facebook) stay: articles quote them as sources. (The consent
 * placeholders shown in their place go with the cookie notices, by the block rules.)
 */
export const EMBED_RULE: BlockRule = {
  kind: 'embed-card',
  selector: 'blockquote, div, section, figure, aside, p',
  matches: (element, context) =>
    ATTRIBUTE_WORDS.embed.test(context.attributes(element)) && minor(element, context, 2000),
};

/**
 * A "read also" line: a short paragraph that starts with a label such as "Read also:", "Lea también:",
 * "Lesen Sie auch:", "Czytaj też:" and points at another article (the label alone is left to the
 * related-heading rule). An interview's "Mira:" speaker line has no link, so it stays. A bare "Related:"
 * is not such a label: the Readability corpus's expected output keeps those lines (its cnn page).
 */
export const READ_ALSO_RULE: BlockRule = {
  kind: 'read-also',
  selector: 'p, div, li, blockquote, h3, h4, h5, h6, strong, b',
  matches(element, context) {
    if (context.weight(element) > 300) return false;
    const text = textOf(element);
    if (!LABEL_WORDS.readAlso.test(text)) return false;
    return linkDensity(element, text.length) > 0.3 || element.closest('a') !== null;
  },
};

/**
 * The publisher speaking to the reader inside the article: subscribe or log in to read on, download the
 * app, join the channel, support or donate. A short paragraph whose words are such a prompt.
 */
export const READER_PROMPT_RULE: BlockRule = {
  kind: 'reader-prompt',
  selector: 'p, div, section, aside, h2, h3, h4',
  matches: (element, context) => saysShortly(element, context, 320, LABEL_WORDS.readerPrompt, true),
};

/**
 * A box about the author (`author-bio`, `about-the-author`, `autorenbox`): a biography and profile links,
 * longer than the byline the block rules take; and its label ("About the author", "Über den Autor").
 */
export const AUTHOR_BIO_RULE: BlockRule = {
  kind: 'author-bio',
  selector: 'div, section, aside, footer, p, h2, h3, h4, h5, h6, strong, b',
  matches: (element, context) =>
    (ATTRIBUTE_WORDS.authorBio.test(context.attributes(element)) && minor(element, context, 1200)) ||
    saysShortly(element, context, 40, LABEL_WORDS.authorBox),
};

/**
 * A line of filing details: "Category: News", "Aufrufe: 512", "Lesezeit: 3 Minuten", "Kommentare: 4", or a
 * reading-time widget by its name (`reading-time`, `readingTime`: "Ten tekst przeczytasz w 3 minuty").
 */
export const META_LINE_RULE: BlockRule = {
  kind: 'meta-line',
  selector: 'p, div, span, li, td, small',
  matches: (element, context) =>
    ATTRIBUTE_WORDS.readingTime.test(context.attributes(element))
      ? context.weight(element) <= 100
      : saysShortly(element, context, 100, LABEL_WORDS.metaLine),
};

/**
 * A disclaimer: a box named as a disclosure (`editorial-disclosure`, `affiliate-text`, `disclaimer`), or a short
 * paragraph in its words: the page holds affiliate links or advertising, the opinion is not the publisher's,
 * the site does not answer for what others post, reprints need permission. It is about the page, not its subject.
 */
export const DISCLAIMER_RULE: BlockRule = {
  kind: 'disclaimer',
  selector: 'p, div, section, aside, small, em, i',
  matches(element, context) {
    // Named as one, it may run to two paragraphs: it is still a fifth of the article at most.
    if (ATTRIBUTE_WORDS.disclaimer.test(context.attributes(element))) return withinShare(element, context, 800);
    return saysShortly(element, context, 400, LABEL_WORDS.disclaimer, true);
  },
};

/**
 * The label of a control that shows, hides or loads content ("Show more", "Bild anzeigen", "Quellen
 * ausblenden", "Lade weitere Inhalte"), left in the markup for the page's scripts: a button's words.
 */
export const CONTROL_LABEL_RULE: BlockRule = {
  kind: 'control-label',
  selector: 'span, div, p, a, button, strong, b, li, label',
  matches: (element, context) => saysShortly(element, context, 40, LABEL_WORDS.control),
};

/** Whether `element` is, or sits in, a link to another page than this one. */
function insideLinkAway(element: Element): boolean {
  const link = element.closest('a[href]');
  const href = link?.getAttribute('href') ?? '';
  return href !== '' && !href.startsWith('#') && href.split('#')[0] !== element.ownerDocument.URL.split('#')[0];
}

/**
 * A block the site names a teaser (`teaser`, `sz-teaser`, `post_teaser`, `teaser__headline`) that links to
 * another page: a preview of another article. A lead paragraph is also called a teaser by some sites, and
 * has no link away, so it stays.
 */
export const NAMED_TEASER_RULE: BlockRule = {
  kind: 'teaser',
  selector: 'a, div, section, article, aside, li, figure, header, h2, h3, h4, span, p',
  matches(element, context) {
    if (!ATTRIBUTE_WORDS.teaser.test(context.attributes(element)) || !minor(element, context, 600)) return false;
    if (insideLinkAway(element)) return true;
    const text = textOf(element);
    return text.length > 0 && linkDensity(element, text.length) > 0.3;
  },
};

/**
 * The sidebar of a blog or CMS theme and its widgets (archives, categories, a text widget with a disclaimer),
 * which the container a page names as its content (`#content`, `<main>`) often holds beside the article.
 */
export const SIDEBAR_RULE: BlockRule = {
  kind: 'sidebar',
  selector: 'aside, div, section, ul, nav',
  matches(element, context) {
    if (!ATTRIBUTE_WORDS.sidebar.test(context.attributes(element))) return false;
    const weight = context.weight(element);
    return weight <= 4000 && weight <= context.scopeTextLength * 0.3;
  },
};

const LINK = new Set(['a']);

/**
 * A teaser of another article: a short block that ends in a link away labelled "Read more", "Weiterlesen",
 * "mehr •••", "Czytaj więcej" (a related-posts box, a shop's advice cards, a portal's teaser column). An
 * article's own text does not end in such a link; a "read more" into the page itself (`#rest`) is not away.
 */
export const READ_MORE_TEASER_RULE: BlockRule = {
  kind: 'read-more-teaser',
  selector: 'div, li, article, section, aside, dl, dd, p',
  matches(element, context) {
    if (!withinShare(element, context, 600) || !hasDescendantNamed(element, LINK)) return false;
    const links = descendantsNamed(element, LINK);
    const last = links[links.length - 1] as Element;
    const label = textOf(last);
    if (!LABEL_WORDS.readMore.test(label) || !linksAway(last)) return false;
    // The label ends the block, after a line of its own: the teaser's summary or title.
    const text = textOf(element);
    return text.endsWith(label) && text.length - label.length >= 20 && !holdsProse(element);
  },
};

/** Whether a link leads to another page than this one (not `#...`, not this page's own address). */
function linksAway(link: Element): boolean {
  const href = link.getAttribute('href') ?? '';
  return href !== '' && !href.startsWith('#') && href.split('#')[0] !== link.ownerDocument.URL.split('#')[0];
}

const LINE_BREAKS = new Set(['BR', 'P', 'DIV', 'LI']);

/** The element's text as lines: split at `<br>` and inner blocks, then at the separators `|`, `•`, `·`. */
function fragments(element: Element): string[] {
  const lines: string[] = [''];
  const walk = (node: Node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) lines[lines.length - 1] += child.nodeValue ?? '';
      else if (child.nodeType === 1) {
        const breaks = LINE_BREAKS.has((child as Element).tagName);
        if (breaks) lines.push('');
        walk(child);
        if (breaks) lines.push('');
      }
    }
  };
  walk(element);
  return lines
    .flatMap((line) => line.split(/[|•·]/))
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** Filing details after a date: "VON Sina Giebel IN Mode", "0 Comments", "Kategorie: News" (a time before them aside). */
const isFiling = (fragment: string) => {
  const rest = fragment.replace(/^[\d:.\s]+(?:uhr|h)?\s*/iu, '');
  return (
    BYLINE_START.test(rest) ||
    LABEL_WORDS.metaLine.test(rest) ||
    /^\d+\s+(?:comments?|kommentare?|commentaires?|comentarios?|commenti|komentarz[ey]?)$/iu.test(rest)
  );
};

/**
 * A dated line of filing details: a date, and after it the author, the category or the number of comments,
 * cut by `|`, `•` or line breaks ("Freitag | 14. Juni 2019 | 15:49 VON Jane Doe IN Mode | 0 COMMENTS",
 * "24.01.2022 11:38 / Kategorie: News"). Each part is a label, never a sentence.
 */
export const DATED_META_LINE_RULE: BlockRule = {
  kind: 'meta-line',
  selector: 'p, div, li, small, span',
  matches(element, context) {
    if (context.weight(element) > 120) return false;
    const parts = fragments(element);
    if (parts.length < 2 || parts.some((part) => part.length > 40 || (/[.!?]$/.test(part) && !/\d\.$/.test(part))))
      return false;
    return parts.some(isDateLine) && parts.some(isFiling);
  },
};

/**
 * A line pointing at another page for more ("Mehr zum Umbau lesen Sie hier: ...", "Alles über Wanderschuhe
 * findest du hier", "Read more about the dam here"): a short paragraph with a link away, which says where
 * to read on rather than what happened.
 */
export const POINTER_RULE: BlockRule = {
  kind: 'pointer',
  selector: 'p, div, li',
  matches(element, context) {
    if (!saysShortly(element, context, 300, LABEL_WORDS.pointer, true)) return false;
    return descendantsNamed(element, LINK).some(linksAway);
  },
};

/** The rules of this file, in the order they run. */
export const ARTICLE_CHROME_RULES: BlockRule[] = [
  SIDEBAR_RULE,
  AUTHOR_BIO_RULE,
  CAPTION_RULE,
  EMBED_RULE,
  READ_ALSO_RULE,
  READER_PROMPT_RULE,
  META_LINE_RULE,
  DATED_META_LINE_RULE,
  NAMED_TEASER_RULE,
  READ_MORE_TEASER_RULE,
  POINTER_RULE,
  DISCLAIMER_RULE,
  CONTROL_LABEL_RULE,
];
