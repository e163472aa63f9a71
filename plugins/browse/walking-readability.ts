import { Readability } from '@mozilla/readability';
import { elementsUnder } from './element-walk.js';

const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/** Up to this many elements, jsdom's own list of a tag's elements is cheaper to read than a walk of the tree. */
const FEW = 48;

/**
 * Mozilla's Readability, its tag lookups answered by a walk of sibling pointers instead of jsdom's selector
 * engine. Readability finds every tag list it works on (`h1, h2`, `p`, `br`, `script, noscript`, `img, picture,
 * figure`...) through `_getAllNodesWithTag`, which calls `querySelectorAll`: in jsdom each call goes through
 * @asamuzakjp/dom-selector and nwsapi, 7% of the extraction's CPU on the Readability pages. The walk answers the
 * same elements in the same (document) order, as a static list as `querySelectorAll` does, so the article is the
 * same. A single tag's elements, when they are few, come from `getElementsByTagName` (the same elements in the
 * same order: in an HTML document both match an HTML element's name in any case, others' exactly). Readability's
 * own `getElementsByTagName` calls are left as they are.
 */
export class WalkingReadability<T = string> extends Readability<T> {
  /** Readability 0.6's own helper, replaced: the elements under `node` whose tag is one of `tagNames`. */
  _getAllNodesWithTag(node: Element | Document, tagNames: string[]): Element[] {
    if (tagNames.length === 1) {
      // jsdom finds one tag's elements without a wrapper per node; reading its collection costs per item about
      // as much as the collection holds (it answers through a Proxy), so only a short one is read.
      const found = node.getElementsByTagName(tagNames[0] as string);
      if (found.length <= FEW) return Array.from(found);
    }
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
