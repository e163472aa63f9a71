import DOMPurify, { type Config } from 'dompurify';
import { Marked } from 'marked';

/**
 * Reports are written by a model from web pages: hostile input. Raw HTML in the Markdown is shown as text
 * (a report never needs it), the HTML marked makes is then sanitised by DOMPurify, links keep only http(s)
 * and in-page targets and open with `rel="noopener noreferrer"`, and the page's CSP forbids inline script
 * besides.
 */
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (href.startsWith('#')) return;
  if (!/^https?:\/\//i.test(href)) {
    node.removeAttribute('href');
    return;
  }
  node.setAttribute('rel', 'noopener noreferrer');
  node.setAttribute('target', '_blank');
});

const SANITIZE: Config & { RETURN_DOM_FRAGMENT: true } = {
  RETURN_DOM_FRAGMENT: true,
  FORBID_TAGS: ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'svg', 'math'],
  FORBID_ATTR: ['style', 'id', 'class'],
};

/** Where citation `[n]` points: the id of the element showing that source, if there is one. */
export type CitationTarget = (number: number) => string | undefined;

/**
 * The report as a sanitised fragment: each `[n]` citation links to its source card, and each entry of the
 * reference list (`[n] Title. URL`) gets the id `ref-n` so that a card can link back to it.
 */
export function renderReport(markdown: string, target: CitationTarget): DocumentFragment {
  const html = marked.parse(markdown) as string;
  const fragment = purify.sanitize(html, SANITIZE);
  linkCitations(fragment, target);
  return fragment;
}

function linkCitations(fragment: DocumentFragment, target: CitationTarget): void {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement?.closest('a, code, pre')) texts.push(node as Text);
  }
  const referenceList = findReferenceList(fragment);
  for (const text of texts) {
    const value = text.data;
    const pattern = /\[(\d+)\]/g;
    if (!pattern.test(value)) continue;
    pattern.lastIndex = 0;
    const parts = document.createDocumentFragment();
    let from = 0;
    for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
      const number = Number(match[1]);
      const id = target(number);
      if (!id) continue;
      parts.append(value.slice(from, match.index));
      const link = document.createElement('a');
      link.className = 'citation';
      link.href = `#${id}`;
      link.textContent = match[0];
      link.setAttribute('aria-label', `source ${number}`);
      const startsLine =
        match.index === 0
          ? text.previousSibling === null || text.previousSibling.nodeName === 'BR'
          : value[match.index - 1] === '\n';
      if (referenceList?.contains(text) && startsLine) link.id = `ref-${number}`;
      parts.append(link);
      from = match.index + match[0].length;
    }
    parts.append(value.slice(from));
    text.replaceWith(parts);
  }
}

/** The block after the last "References" heading. */
function findReferenceList(fragment: DocumentFragment): Element | undefined {
  const headings = [...fragment.querySelectorAll('h1, h2, h3, h4')].filter((heading) =>
    /references|sources|参考/i.test(heading.textContent ?? ''),
  );
  const heading = headings.at(-1);
  if (!heading) return undefined;
  const wrapper = document.createElement('div');
  let next = heading.nextElementSibling;
  if (!next) return undefined;
  // The lines of the list may be one paragraph (soft breaks) or several: keep them together.
  heading.after(wrapper);
  while (next) {
    const following: Element | null = next.nextElementSibling;
    wrapper.append(next);
    next = following;
  }
  wrapper.className = 'references';
  return wrapper;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
