import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { applyRules, BLOCK_RULES, isDateLine, LINK_BLOCK_RULE } from '../../plugins/browse/block-rules.js';
import { extractHtml } from '../../plugins/browse/extract-content.js';

const PROSE = [
  'The river authority opened the new flood barrier on Tuesday after four years of construction and two public inquiries into its cost.',
  'Engineers say the barrier can hold back a surge one metre higher than the record of 1953, and that it will be tested twice a year.',
  'Residents of the lower town, who were evacuated three times in the last decade, welcomed the opening but asked for a warning system too.',
];

/** A small article page with one block of chrome inside the article and one outside it. */
function page(chrome: string, options: { lang?: string; after?: string } = {}): string {
  return `<!doctype html><html lang="${options.lang ?? 'en'}"><head><title>Flood barrier opens</title></head><body>
<article><h1>Flood barrier opens</h1>${chrome}${PROSE.map((text) => `<p>${text} ${text}</p>`).join('\n')}${options.after ?? ''}</article></body></html>`;
}

function extract(html: string): string {
  return extractHtml(html, 'https://news.example/flood').content;
}

const cases: Array<{ kind: string; chrome: string; gone: string; lang?: string; after?: boolean }> = [
  {
    kind: 'picture credit (by its words)',
    chrome:
      '<figure><img src="b.jpg"><figcaption>The barrier at dawn. <span>Photo: River Authority</span></figcaption></figure>',
    gone: 'River Authority',
  },
  {
    kind: 'picture credit (by its words, French, plural)',
    chrome: '<p><em>Crédits photos : Bestimage</em></p>',
    gone: 'Bestimage',
    lang: 'fr',
  },
  {
    kind: 'picture credit (by its words, German cover picture)',
    chrome: '<p><em>Titelbild: Jana Beispiel / Agentur</em></p>',
    gone: 'Jana Beispiel',
    lang: 'de',
  },
  {
    kind: 'picture credit (by its words, Polish source)',
    chrome: '<p><small>Źródło: Agencja Przykład</small></p>',
    gone: 'Agencja Przykład',
    lang: 'pl',
  },
  {
    kind: 'picture credit (by class)',
    chrome:
      '<figure><img src="b.jpg"><figcaption>Workers on the gate <small class="image-credit">Jane Roe / Agency</small></figcaption></figure>',
    gone: 'Jane Roe',
  },
  {
    kind: 'byline (by class)',
    chrome: '<div class="article-author">Jane Doe, environment correspondent</div>',
    gone: 'environment correspondent',
  },
  {
    kind: "breadcrumb trail ending in the page's own title",
    chrome:
      '<div class="breadcrumb-navigation"><a href="/">Home</a> &gt; <a href="/rivers">Rivers</a> &gt; <span>The river authority opens its new flood barrier after four years of works</span></div>',
    gone: 'Rivers',
  },
  { kind: 'byline (by its words, German)', chrome: '<p>Von Max Mustermann</p>', gone: 'Max Mustermann', lang: 'de' },
  {
    kind: 'dateline (by class)',
    chrome: '<div class="post-date">Published 31 May 2012, 14:05</div>',
    gone: '31 May 2012',
  },
  {
    kind: 'dateline (by its words, German)',
    chrome: '<span>Veröffentlicht am 31. Mai 2012 um 14:05 Uhr</span>',
    gone: '31. Mai 2012',
    lang: 'de',
  },
  {
    kind: 'dateline (by its words, French)',
    chrome: '<p>Publié le 3 décembre 2019 à 08h15</p>',
    gone: 'décembre 2019',
    lang: 'fr',
  },
  { kind: 'tag list', chrome: '', after: true, gone: 'Climate' },
  {
    kind: 'share block (by class)',
    chrome: '<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">E-Mail</a></div>',
    gone: 'Facebook',
  },
  {
    kind: 'share block (by its words, Spanish)',
    chrome: '<div><span>Compartir en</span> <a href="#">WhatsApp</a></div>',
    gone: 'Compartir',
    lang: 'es',
  },
  {
    kind: 'newsletter (by class)',
    chrome: '<div class="newsletter-box">Get the morning briefing every day <a href="/s">Sign up</a></div>',
    gone: 'morning briefing',
  },
  {
    kind: 'newsletter (by its words, French)',
    chrome: '<div>Abonnez-vous à notre lettre quotidienne <button>OK</button></div>',
    gone: 'lettre quotidienne',
    lang: 'fr',
  },
  { kind: 'comment policy', chrome: '', after: true, gone: 'email address will not be published' },
  { kind: 'related block (by class)', chrome: '', after: true, gone: 'Dam plans shelved' },
  { kind: 'related heading (by its words, Polish)', chrome: '', after: true, gone: 'Przeczytaj też' },
  {
    kind: 'hidden content',
    chrome: '<div aria-hidden="true">Hover card: follow this author</div><div hidden>Sign in to read</div>',
    gone: 'Hover card',
  },
  { kind: 'link list', chrome: '', after: true, gone: 'Weather in Leeds' },
  {
    kind: 'rating widget (by class)',
    chrome: '',
    after: true,
    gone: 'No ratings yet',
  },
  {
    kind: 'rating prompt (by its words, German)',
    chrome: '',
    after: true,
    gone: 'War der Artikel nützlich',
    lang: 'de',
  },
  { kind: 'share prompt (a question, German)', chrome: '', after: true, gone: 'Artikel teilen', lang: 'de' },
  { kind: 'post footer (by class)', chrome: '', after: true, gone: 'filed under Rivers' },
  { kind: 'teaser card', chrome: '', after: true, gone: 'Faster trains to the coast' },
  { kind: 'heading left without its block', chrome: '', after: true, gone: 'Around the region' },
];

const AFTER: Record<string, string> = {
  'tag list':
    '<div class="tags"><a href="/t/climate">Climate</a>, <a href="/t/rivers">Rivers</a>, <a href="/t/leeds">Leeds</a></div>',
  'comment policy': '<p>Leave a reply. Your email address will not be published.</p>',
  'related block (by class)':
    '<div class="related-stories"><a href="/1">Dam plans shelved after protest</a><a href="/2">Rain record broken</a></div>',
  'related heading (by its words, Polish)': '<h3>Przeczytaj też</h3>',
  'link list':
    '<ul><li><a href="/a">Weather in Leeds</a></li><li><a href="/b">Traffic news</a></li><li><a href="/c">Local sport</a></li></ul>',
  'rating widget (by class)': '<div class="post-ratings"><span>★★★★★</span> (No ratings yet)</div>',
  'rating prompt (by its words, German)': '<p><strong>War der Artikel nützlich?</strong></p>',
  'share prompt (a question, German)': '<div><strong>Möchten Sie den Artikel teilen?</strong></div>',
  'post footer (by class)':
    '<p class="postmetadata">This entry was posted on Tuesday and is filed under Rivers, Leeds. You can follow any responses.</p>',
  'teaser card':
    '<figure class="promo"><a href="/story/trains"><img src="t.jpg"><figcaption><h3>Faster trains to the coast</h3></figcaption></a></figure>',
  'heading left without its block':
    '<h2>Around the region</h2><div class="related-stories"><a href="/1">Dam plans shelved</a> <a href="/2">Rain record broken</a></div>',
};

describe('block rules: each kind of chrome goes, the article stays', () => {
  for (const item of cases) {
    it(`removes a ${item.kind}`, () => {
      const text = extract(page(item.chrome, { lang: item.lang ?? 'en', after: item.after ? AFTER[item.kind] : '' }));
      expect(text).not.toContain(item.gone);
      for (const paragraph of PROSE) expect(text).toContain(paragraph);
    });
  }

  it('keeps headings, lists, tables, code and quotes that belong to the article', () => {
    const text = extract(
      page('', {
        after:
          '<h2>How the gate works</h2><ul><li>Two steel leaves close in eight minutes</li><li>Pumps move 30 tonnes a second</li></ul>' +
          '<table><tr><th>Year</th><th>Surge</th></tr><tr><td>1953</td><td>4.6 m</td></tr></table>' +
          '<pre><code>close_gate(level=4.6)</code></pre><blockquote>We will never again wait for the water to decide.</blockquote>',
      }),
    );
    for (const kept of [
      'How the gate works',
      'Two steel leaves close in eight minutes',
      '4.6 m',
      'close_gate(level=4.6)',
      'We will never again wait',
    ])
      expect(text).toContain(kept);
  });

  it("keeps a wire story's place line at the start of its first sentence, whatever its class says", () => {
    const { document } = new JSDOM(
      `<body><article><p><span class="dateline">KOBE – </span>${PROSE[0]}</p><div class="byline">By Jane Doe</div></article></body>`,
    ).window;
    applyRules(document.body, BLOCK_RULES);
    expect(document.body.textContent).toContain(`KOBE – ${PROSE[0]}`);
    expect(document.body.textContent).not.toContain('Jane Doe');
  });

  it("keeps a heading that links to the page itself (a blog's title) and a heading with a sub-section under it", () => {
    const text = extract(
      page('<h2><a href="https://news.example/flood">The barrier, opened</a></h2>', {
        after: `<h2>What comes next</h2><h3>The warning system</h3><p>${PROSE[2]}</p>`,
      }),
    );
    for (const kept of ['The barrier, opened', 'What comes next', 'The warning system']) expect(text).toContain(kept);
  });

  it('keeps a picture caption, which describes the article (the article chrome rules judge captions)', () => {
    const document = new JSDOM(
      page('<figure><img src="b.jpg"><figcaption>The barrier at dawn, seen from the lower town</figcaption></figure>'),
    ).window.document;
    applyRules(document.body, BLOCK_RULES);
    expect(document.body.textContent).toContain('The barrier at dawn');
  });

  it("removes a shop's cross-selling tab and box, by the tab's words and the box's class", () => {
    const document = new JSDOM(
      `<body><p>${PROSE[0]}</p><div class="tab-menu"><a class="tab-link" href="#description">Beschreibung</a> <a class="tab-link" href="#also">Kunden kauften auch</a></div>
<div class="product-slider cross-selling"><a href="/p/1">Riesling trocken 2019</a> <a href="/p/2">Silvaner 2020</a></div></body>`,
    ).window.document;
    applyRules(document.body, BLOCK_RULES);
    expect(document.body.textContent).not.toContain('Kunden kauften auch');
    expect(document.body.textContent).not.toContain('Riesling trocken');
    expect(document.body.textContent).toContain('Beschreibung');
    expect(document.body.textContent).toContain(PROSE[0]);
  });

  it('removes the heading and the empty note of a comment section, not a sentence of the article about comments', () => {
    const sentence = 'Beschimpfungen akzeptiere ich aber nicht unter den Kommentaren.';
    const text = extract(
      page('', { lang: 'de', after: `<p>${sentence}</p><h3>Kommentare (3)</h3><p>Keine Kommentare</p>` }),
    );
    expect(text).toContain(sentence);
    expect(text).not.toContain('Kommentare (3)');
    expect(text).not.toContain('Keine Kommentare');
  });

  it('never removes a block that holds the prose, whatever its class says', () => {
    const document = new JSDOM(
      `<body><div class="post-meta share related author"><p>${PROSE[0]} ${PROSE[1]}</p><p>${PROSE[1]} ${PROSE[2]}</p></div><p>short</p></body>`,
    ).window.document;
    applyRules(document.body, [...BLOCK_RULES, LINK_BLOCK_RULE]);
    expect(document.body.textContent).toContain(PROSE[2]);
  });

  it('keeps the byline as the page metadata when it removes it from the text', () => {
    const result = extractHtml(page('<p class="byline">By Jane Doe</p>'), 'https://news.example/flood');
    expect(result.byline).toBe('By Jane Doe');
    expect(result.content).not.toContain('Jane Doe');
  });

  it('tells a date line from a sentence that has a date in it', () => {
    expect(isDateLine('Mittwoch, 31. Mai 2012, 14:05 Uhr')).toBe(true);
    expect(isDateLine('Updated: 2019-03-04 08:15')).toBe(true);
    expect(isDateLine('Publiziert: 03.04.2020, 12:35')).toBe(true);
    expect(isDateLine('Erschienen am 3. April 2020')).toBe(true);
    expect(isDateLine('3.7.1')).toBe(false);
    expect(isDateLine('+81 158-23-2012')).toBe(false);
    expect(isDateLine('31/05/12')).toBe(true);
    expect(isDateLine('The barrier opened on 31 May 2012 after a long delay.')).toBe(false);
  });
});
