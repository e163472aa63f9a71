import { JSDOM, VirtualConsole } from 'jsdom';
import { putBack, lightenSource } from './lighter-source.js';

// Kept for a few pages, and only its DOMParser is used (see parsePage); the one before it is closed on the next change.
let host: JSDOM | undefined;
let previous: JSDOM | undefined;
let pagesParsed = 0;

/**
 * Pages parsed by one window before a new one is built (about 20-40 ms, so about 2 ms a page). jsdom's selector
 * engine, on the first query of a document, adds event listeners to the document's window that are never
 * removed; they hold the document (what `releasePage` left of it, 1-2 MB for a large page) for as long as the
 * window lives. Closing a window clears them (dropping it is not enough while a task runs: its load callback
 * stays queued until the task ends, and an in-process benchmark is one long task).
 */
const PAGES_PER_WINDOW = 16;

/**
 * A page's HTML as a Document, parsed by the DOMParser of one window kept for the process rather than in a
 * JSDOM of its own. Building a window installs every web interface on a new global (most of the cost of a
 * small page), and a document with a window also builds a window for each `<iframe>` and parses each
 * `<style>` into a stylesheet: nothing the extraction reads. The tree is the same (scripting is off in both,
 * so `<noscript>` parses alike), and the document takes the window's URL, set to the page's, so links
 * resolve as before. Throws what jsdom throws (a `style=` declaration its CSS code cannot parse). The window is
 * replaced every `PAGES_PER_WINDOW` pages and closed one change later, when none of its pages is read any more
 * (an extraction parses a page at most twice, one parse after the other). Long script and style bodies are set
 * aside while parse5 reads the page and put back after, and `style=` attributes that hide nothing are dropped
 * (`lighter-source.ts`); when the bodies cannot be shown to be back where they were, the page is parsed as it came.
 */
export function parsePage(html: string, url: string): Document {
  // Pages log CSS errors by the hundred; none of it is ours to report.
  if (!host || pagesParsed >= PAGES_PER_WINDOW) {
    previous?.window.close();
    previous = host;
    host = new JSDOM('', { virtualConsole: new VirtualConsole() });
    pagesParsed = 0;
  }
  pagesParsed += 1;
  host.reconfigure({ url });
  const parser = new host.window.DOMParser();
  const lighter = lightenSource(html);
  if (lighter) {
    const document = parser.parseFromString(lighter.html, 'text/html');
    if (putBack(document, lighter)) return document;
    releasePage(document);
  }
  return parser.parseFromString(html, 'text/html');
}

/**
 * Lets the window forget a page parsed by `parsePage`; call it once the page's tree is no longer read
 * (elements already taken out of the tree stay usable). jsdom registers every attached element with an `id`
 * or `name` as a named property of the document's window, here the kept one, so each page stayed in memory
 * whole until its window went (all of them, when one window served the process: a leak of a few MB a page).
 * Detaching the tree unregisters them.
 */
export function releasePage(document: Document): void {
  document.documentElement?.remove();
}
