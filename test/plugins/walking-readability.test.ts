import { Readability } from '@mozilla/readability';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../plugins/browse/decode-body.js';
import { parsePage } from '../../plugins/browse/parse-page.js';
import { WalkingReadability } from '../../plugins/browse/walking-readability.js';
import { loadCorpus } from '../helpers/corpus.js';

type Parser = { parse(): { content?: string | null } | null };

/** The owner of method `name` on the prototype chain of `node` (jsdom's Element or Document prototype). */
function ownerOf<Name extends string>(node: object, name: Name): Record<Name, unknown> {
  let prototype = Object.getPrototypeOf(node) as object;
  while (!Object.hasOwn(prototype, name)) prototype = Object.getPrototypeOf(prototype) as object;
  return prototype as Record<Name, unknown>;
}

/** Readability's article as HTML, with the number of `querySelectorAll` calls made while it was built. */
function article(make: (document: Document) => Parser, html: string) {
  const document = parsePage(html, 'https://read.example/post');
  let calls = 0;
  const owners = [ownerOf(document.createElement('div'), 'querySelectorAll'), ownerOf(document, 'querySelectorAll')];
  const originals = owners.map((owner) => owner.querySelectorAll as (selector: string) => NodeListOf<Element>);
  owners.forEach((owner, index) => {
    owner.querySelectorAll = function (this: ParentNode, selector: string) {
      calls += 1;
      return originals[index]?.call(this, selector);
    };
  });
  try {
    return { content: make(document).parse()?.content ?? null, calls };
  } finally {
    owners.forEach((owner, index) => {
      owner.querySelectorAll = originals[index];
    });
  }
}

const PAGE = `<!doctype html><html><head><title>A post</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
<div class="entry"><h1>A post</h1><h2>First part</h2>
<p>${'Running text of the first part, long enough to score as a paragraph. '.repeat(8)}</p>
<div>A line without a paragraph<br>and another after a break<br><br>and a third one.</div>
<FONT>old markup</FONT><svg><a href="/svg"><title>icon</title></a><style>.x{}</style></svg>
<p>${'More running text in the second paragraph, about the same subject. '.repeat(8)}</p>
<figure><img src="a.jpg"><figcaption>A caption</figcaption></figure>
<table><tr><td>cell</td><td>cell</td></tr></table><noscript><img src="b.jpg"></noscript><script>var x = 1;</script>
</div><footer><p>Footer text</p></footer></body></html>`;

describe("Readability with its tag lookups walked rather than asked of jsdom's selector engine", () => {
  it('builds the same article as Readability, without one querySelectorAll call', () => {
    const options = { keepClasses: true };
    const stock = article((document) => new Readability(document, options), PAGE);
    const walked = article((document) => new WalkingReadability(document, options), PAGE);
    expect(stock.calls).toBeGreaterThan(10);
    expect(walked.calls).toBe(0);
    expect(walked.content).toBe(stock.content);
  });

  it("answers a few elements of one tag from jsdom's own list, many by the walk, as querySelectorAll does", () => {
    const document = parsePage(
      `<body><p>one</p><P>two</P><svg><a href="/svg">svg link</a></svg>${'<a href="/x">x</a>'.repeat(80)}</body>`,
      'https://read.example/',
    );
    const reader = new WalkingReadability(document);
    const lists = [['p'], ['P'], ['a'], ['A'], ['p', 'a']];
    const expected = lists.map((tags) => [...document.body.querySelectorAll(tags.join(','))]);
    const byTag = ownerOf(document.body, 'getElementsByTagName');
    const original = byTag.getElementsByTagName as (name: string) => HTMLCollectionOf<Element>;
    let asked = 0;
    byTag.getElementsByTagName = function (this: Element, name: string) {
      asked += 1;
      return original.call(this, name);
    };
    try {
      lists.forEach((tags, index) => {
        expect(reader._getAllNodesWithTag(document.body, tags), tags.join()).toEqual(expected[index]);
      });
    } finally {
      byTag.getElementsByTagName = original;
    }
    expect(asked).toBeGreaterThan(0);
  });

  it('builds the same article as Readability on every fourth page of the corpus', () => {
    for (const page of loadCorpus().filter((_, index) => index % 4 === 0)) {
      const { text } = decodeBody(page.source, undefined);
      const stock = article((document) => new Readability(document, { keepClasses: true }), text);
      const walked = article((document) => new WalkingReadability(document, { keepClasses: true }), text);
      expect(walked.content, page.name).toBe(stock.content);
    }
  });
});
