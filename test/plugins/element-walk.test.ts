import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { descendantsNamed, hasDescendantNamed, scopeOf, selectIn } from '../../plugins/browse/element-walk.js';
import { parsePage, releasePage } from '../../plugins/browse/parse-page.js';

const PAGE = `<!doctype html><html><head><title>Walk</title><style>p { color: red }</style></head><body>
<div id="d1"><p id="p1">One <a id="a1" href="/x">link</a></p><span id="s1" hidden>hidden</span>
<figure id="f1"><img id="i1" src="a.jpg"><figcaption id="c1">Caption <span id="s2">Photo: Agency</span><b id="b1"><i id="i2">x</i></b></figcaption></figure>
<section id="sec" aria-hidden="true"><ul id="u1"><li id="l1"><a id="a2" href="#top">top</a></li></ul></section>
<p id="p2" style="display:none">gone</p><p id="p3" style="display: none ;">gone too</p><template id="t1"><p>inert</p></template>
<svg id="g1"><a id="a3"><text>svg link</text></a></svg><iframe id="fr" src="https://frames.example/embed"></iframe></div>
</body></html>`;

const ids = (elements: Iterable<Element>) => [...elements].map((element) => element.id);

describe('walking the page for the block rules', () => {
  const document = parsePage(PAGE, 'https://walk.example/page');
  const body = document.body;
  const scope = scopeOf(body);

  it('selects what querySelectorAll selects, in document order, for lists of tags and "tag *"', () => {
    for (const selector of [
      'div, section, aside, ul, ol, p, span, header, footer, nav, figure, table, dl, li, form, small, time, address',
      'figcaption *, figcaption, p, span, small, div',
      'a',
      'h2, h3',
    ])
      expect(ids(selectIn(scope, selector) ?? [])).toEqual(ids(body.querySelectorAll(selector)));
  });

  it('selects the elements that have an attribute, or a value equal to or containing a string, in document order', () => {
    const selected = selectIn(scope, '[hidden], [aria-hidden="true"], [style*="display:none"], template');
    expect(ids(selected ?? [])).toEqual(['s1', 'sec', 'p2', 't1']);
  });

  it('answers prefix tests and case-insensitive lists as jsdom does, a list with a flag part by part', () => {
    const named = parsePage(
      `<div id="main-a" class="Post-Body"><p class="postContent">text</p></div><main id="Main-b"></main>
       <section class="main-column post-body"></section>`,
      'https://walk.example/',
    ).body;
    const namedScope = scopeOf(named);
    for (const selector of [
      '[id^="main"], [class^="main"], main',
      '[class*="post-body"], [class*="postcontent" i], [id^="main"]',
      '[class*="postcontent" i], [class*="post-body"]',
    ])
      expect(ids(selectIn(namedScope, selector) ?? [])).toEqual(ids(named.querySelectorAll(selector)));
    // The flag makes the whole list ignore case, and the answer comes part by part, not in document order.
    expect(selectIn(namedScope, '[class*="postcontent" i], [class*="post-body"]')?.map((e) => e.className)).toEqual([
      'postContent',
      'Post-Body',
      'main-column post-body',
    ]);
  });

  it('leaves any other selector form to jsdom', () => {
    expect(selectIn(scope, 'div > p')).toBeNull();
    expect(selectIn(scope, '.byline')).toBeNull();
    expect(selectIn(scope, '[class~="x"]')).toBeNull();
  });

  it('finds descendants by tag as querySelectorAll does, including those of an svg', () => {
    expect(ids(descendantsNamed(body, new Set(['a'])))).toEqual(ids(body.querySelectorAll('a')));
    expect(hasDescendantNamed(body.querySelector('#u1') as Element, new Set(['a']))).toBe(true);
    expect(hasDescendantNamed(body.querySelector('#p2') as Element, new Set(['a', 'time']))).toBe(false);
  });
});

describe('parsing a page without a window of its own', () => {
  it('gives the document the page URL, so links resolve against it, a different one for each page', () => {
    const first = parsePage('<a href="next">next</a>', 'https://one.example/dir/page');
    const second = parsePage('<a href="next">next</a>', 'https://two.example/other/page');
    expect(first.URL).toBe('https://one.example/dir/page');
    expect((first.querySelector('a') as HTMLAnchorElement).href).toBe('https://one.example/dir/next');
    expect(second.baseURI).toBe('https://two.example/other/page');
  });

  it('builds no window for an iframe and keeps noscript content as markup, as a scripting-disabled page', () => {
    const document = parsePage(
      '<iframe src="https://frames.example/"></iframe><noscript><p id="n">No script</p></noscript>',
      'https://walk.example/',
    );
    expect((document.querySelector('iframe') as HTMLIFrameElement).contentDocument).toBeNull();
    expect(document.querySelector('#n')?.textContent).toBe('No script');
  });
});

describe('memory across pages', () => {
  it('lets a parsed page go once released, though the selector engine tied it to the window', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const parsed = (() => {
      const document = parsePage('<div id="probe"><p class="x">text</p></div>', 'https://walk.example/');
      // jsdom's selector engine keeps the document it answered for (a list with a flag goes to it) in
      // listeners it adds to the window.
      document.querySelectorAll('[class*="X" i]');
      releasePage(document);
      return new WeakRef(document);
    })();
    // Enough pages for two new windows: the page's own is then closed.
    for (let page = 0; page < 40; page += 1) parsePage('<p>next</p>', 'https://walk.example/next').querySelector('p');
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(parsed.deref()).toBeUndefined();
  });
});
