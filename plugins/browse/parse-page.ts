import { JSDOM, VirtualConsole } from 'jsdom';

// Kept for the life of the worker process, and only its DOMParser is used (see parsePage).
let host: JSDOM | undefined;

/**
 * A page's HTML as a Document, parsed by the DOMParser of one window kept for the process rather than in a
 * JSDOM of its own. Building a window installs every web interface on a new global (most of the cost of a
 * small page), and a document with a window also builds a window for each `<iframe>` and parses each
 * `<style>` into a stylesheet: nothing the extraction reads. The tree is the same (scripting is off in both,
 * so `<noscript>` parses alike), and the document takes the window's URL, set to the page's, so links
 * resolve as before. Throws what jsdom throws (a `style=` declaration its CSS code cannot parse).
 */
export function parsePage(html: string, url: string): Document {
  // Pages log CSS errors by the hundred; none of it is ours to report.
  host ??= new JSDOM('', { virtualConsole: new VirtualConsole() });
  host.reconfigure({ url });
  return new host.window.DOMParser().parseFromString(html, 'text/html');
}
