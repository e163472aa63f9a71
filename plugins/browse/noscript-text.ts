import { linkDensity, textOf } from './block-rules.js';
import { descendantsNamed } from './element-walk.js';

const NOSCRIPT = new Set(['noscript']);

/**
 * Less text than this in a `<noscript>` is a notice ("Please enable JavaScript"), a tracking pixel or a picture
 * for readers without scripts, not a text of its own (the minimum `content-container.ts` asks of an article).
 */
const MIN_TEXT = 250;

/**
 * Puts back the text a page gives only to readers without scripts: some templates (Blogger's, on Google's own
 * blogs) ship the post twice, as a script that draws it and as a `<noscript>` copy, and the extractor runs no
 * script. Readability removes every `<noscript>`, so such a page kept only its sidebar. A `<noscript>` in the
 * body with a text's worth of words, mostly not links (a menu for readers without scripts is links), is
 * replaced by its content; the rest stay for Readability to remove. Returns how many were put back.
 */
export function revealNoscriptText(body: Element): number {
  let revealed = 0;
  for (const noscript of descendantsNamed(body, NOSCRIPT)) {
    const text = textOf(noscript);
    if (text.length < MIN_TEXT || linkDensity(noscript, text.length) >= 0.5) continue;
    noscript.replaceWith(...noscript.childNodes);
    revealed += 1;
  }
  return revealed;
}
