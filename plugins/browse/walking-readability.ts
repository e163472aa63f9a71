import { Readability } from '@mozilla/readability';
import { elementsUnder } from './element-walk.js';

const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/**
 * Mozilla's Readability, its tag lookups answered by a walk of sibling pointers instead of jsdom's selector
 * engine. Readability finds every tag list it works on (`h1, h2`, `p`, `br`, `script, noscript`, `img, picture,
 * figure`...) through `_getAllNodesWithTag`, which calls `querySelectorAll`: in jsdom each call goes through
 * @asamuzakjp/dom-selector and nwsapi, 7% of the extraction's CPU on the Readability pages. The walk answers the
 * same elements in the same (document) order, as a static list as `querySelectorAll` does, so the article is the
 * same. Readability's other lookups (`getElementsByTagName`) are left as they are.
 */
export class WalkingReadability<T = string> extends Readability<T> {
  /** Readability 0.6's own helper, replaced: the elements under `node` whose tag is one of `tagNames`. */
  _getAllNodesWithTag(node: Element | Document, tagNames: string[]): Element[] {
    return elementsUnder(node as Element).filter((element) => matchesType(element, tagNames));
  }
}

/**
 * A CSS type selector's test in an HTML document: HTML elements by their name in any case (Readability asks
 * for `DIV` as often as `div`), others (SVG, MathML) by their exact local name.
 */
function matchesType(element: Element, tagNames: string[]): boolean {
  const name = element.localName;
  const html = element.namespaceURI === HTML_NAMESPACE;
  for (const tag of tagNames) if (tag === name || (html && tag.toLowerCase() === name)) return true;
  return false;
}
