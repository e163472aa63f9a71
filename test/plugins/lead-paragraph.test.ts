import { describe, expect, it } from 'vitest';
import { extractHtml } from '../../plugins/browse/extract-content.js';

const PROSE = [
  'The river authority opened the new flood barrier on Tuesday after four years of construction and two public inquiries into its cost.',
  'Engineers say the barrier can hold back a surge one metre higher than the record of 1953, and that it will be tested twice a year.',
  'Residents of the lower town, who were evacuated three times in the last decade, welcomed the opening but asked for a warning system too.',
  'The authority will publish the results of each test on its website, together with the water levels measured along the estuary.',
];

const LEAD =
  'After four years of works the lower town is safe from the sea, the authority says; the residents want more.';
const TEASER =
  'A ferry line across the estuary will start in May, with six crossings a day and a stop at the new barrier.';

/** A news page whose header (title, lead, date) stands apart from the body that holds the article's paragraphs. */
function page(header: string, options: { aside?: string; site?: string } = {}): string {
  const body = [...PROSE, ...PROSE].map((text) => `<p>${text} ${text}</p>`).join('\n');
  return `<!doctype html><html lang="en"><head><title>Flood barrier opens</title></head><body>
<div class="site-header"><a href="/">River News</a>${options.site ?? ''}</div>
<div class="layout"><div class="story"><div class="story-header"><h1>Flood barrier opens</h1>${header}
<span class="date">6 December 2026</span></div>
<div class="story-text">${body}</div></div>
<div class="column">${options.aside ?? ''}</div></div></body></html>`;
}

function extract(html: string): string {
  return extractHtml(html, 'https://news.example/flood').content;
}

describe("the article's lead, which templates put in the header beside the title", () => {
  const headers: Array<{ kind: string; header: string }> = [
    { kind: 'a paragraph named `standfirst`', header: `<p class="standfirst">${LEAD}</p>` },
    {
      kind: 'a subtitle heading in a block named `article-lead`',
      header: `<div class="article-lead"><h2>${LEAD}</h2></div>`,
    },
    { kind: 'a camel-case `articleIntro`', header: `<div class="articleIntro">${LEAD}</div>` },
    { kind: 'a `teaser`, as German newsrooms name the lead', header: `<p class="article-teaser">${LEAD}</p>` },
    { kind: "HTML's own subtitle, an `<h2>` in an `<hgroup>`", header: `<hgroup><h2>${LEAD}</h2></hgroup>` },
  ];
  for (const { kind, header } of headers)
    it(`is kept when it is ${kind} right before the article's text`, () => {
      const text = extract(page(header));
      expect(text).toContain(LEAD);
      expect(text.indexOf(LEAD)).toBeLessThan(text.indexOf(PROSE[0] as string));
      for (const paragraph of PROSE) expect(text).toContain(paragraph);
    });

  it("is kept when it opens with the body's first sentence and goes on with a summary the body lacks", () => {
    const summary = 'Residents welcomed the opening, and asked for a warning system too.';
    const first = `${PROSE[0]} ${PROSE[0]}`.slice(0, 80);
    const text = extract(page(`<p class="standfirst">${first.trim()} ${summary}</p>`));
    expect(text).toContain(summary);
    expect(text.indexOf(summary)).toBeLessThan(text.indexOf(PROSE[1] as string));
  });

  it('puts back two at most, the nearest the article: more are a row of cards above it', () => {
    const cards = ['Card one', 'Card two', 'Card three'].map(
      (name) => `<div class="teaser"><p>${name}: ${TEASER}</p></div>`,
    );
    const text = extract(page(cards.join('')));
    expect(text).not.toContain('Card one');
    expect(text).toContain('Card two');
    expect(text).toContain('Card three');
  });

  it('is not taken from a teaser card that links to another page, which the rules removed from the article', () => {
    const card = `<div class="teaser"><h3><a href="https://news.example/ferry">Ferry line</a></h3><p>${TEASER}</p></div>`;
    const text = extract(page(card));
    expect(text).not.toContain(TEASER);
    for (const paragraph of PROSE) expect(text).toContain(paragraph);
  });

  it('is not taken from a block with a picture, whose line of text is a hero or a credit', () => {
    const hero = `<div class="story-intro"><img src="barrier.jpg" alt=""><span>${TEASER}</span></div>`;
    const text = extract(page(hero));
    expect(text).not.toContain(TEASER);
    for (const paragraph of PROSE) expect(text).toContain(paragraph);
  });

  it("is not taken from a teaser or the site's description, which stand before other text", () => {
    const aside = `<div class="box"><p class="lead">${TEASER}</p><p>Timetables and fares of the new ferry line across the estuary are on the operator's site.</p></div>`;
    const site =
      '<p class="site-description">News from the river, the estuary and the towns along them, every day.</p>';
    const text = extract(page('', { aside, site }));
    expect(text).not.toContain(TEASER);
    expect(text).not.toContain('News from the river');
    for (const paragraph of PROSE) expect(text).toContain(paragraph);
  });
});
