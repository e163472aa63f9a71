import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { extractHtml } from '../../plugins/browse/extract-content.js';
import { jsonLdArticleBody } from '../../plugins/browse/json-ld.js';

/**
 * A news page whose article is written in short paragraphs (none long enough to count as prose) inside a
 * container whose class reads as chrome (`has-comments`), under a large site menu: the cleaning before
 * Readability takes the container for a comments block, and Readability's first result is the site's
 * "about" blurb. The second candidate (Readability on the page as served) must recover the article.
 */
const LINES = [
  'The council voted on Monday to close the old harbour bridge to cars from next spring.',
  'Buses, bicycles and people on foot will still cross it, the transport committee said.',
  'Engineers found cracks in two of the five piers during an inspection in March.',
  'Repairing them while traffic runs would take four years and cost twice as much.',
  'Shop owners on the east bank fear that fewer customers will come from the old town.',
  'The council promised a free shuttle bus every ten minutes during the works.',
  'A public meeting on the timetable is planned for the second week of January.',
  'The bridge, opened in 1911, carries about 14,000 vehicles on an average weekday.',
];
const ABOUT_SHORT = 'The Harbour Courier has reported on the city and its port since 1872, owned by a trust.';
const ABOUT_LONG =
  'The Harbour Courier has reported on the city and its port since 1872, and is owned by a trust that keeps it ' +
  'independent of any party, company or church; its newsroom of forty reporters and editors works from the old ' +
  'customs house on the quay, and its archive of every edition is open to readers at the city library free of charge.';
const URL = 'https://courier.example/bridge';

function page(options: { about: string; jsonLd?: unknown }): string {
  const menu = Array.from(
    { length: 200 },
    (_, index) => `<li><a href="/section/${index}">Section number ${index} of the site</a></li>`,
  ).join('');
  const jsonLd = options.jsonLd ? `<script type="application/ld+json">${JSON.stringify(options.jsonLd)}</script>` : '';
  return `<!doctype html><html lang="en"><head><title>Harbour bridge to close to cars</title>${jsonLd}</head><body>
<nav class="site-nav"><ul>${menu}</ul></nav>
<div class="page"><div class="story-body has-comments"><h1>Harbour bridge to close to cars</h1>
${LINES.map((line) => `<p>${line}</p>`).join('\n')}</div>
<div class="site-about"><p>${options.about}</p></div></div></body></html>`;
}

const NEWS_ARTICLE = {
  '@context': 'https://schema.org',
  '@type': 'NewsArticle',
  headline: 'Harbour bridge to close to cars',
  articleBody: LINES.join(' '),
};

describe('a second candidate when the first result looks wrong', () => {
  it('keeps the article when the first result is short against the page', () => {
    const content = extractHtml(page({ about: ABOUT_SHORT }), URL).content;
    for (const line of LINES) expect(content).toContain(line);
  });

  it("takes the candidate that covers the page's JSON-LD articleBody over a wrong block of prose", () => {
    const content = extractHtml(page({ about: ABOUT_LONG, jsonLd: NEWS_ARTICLE }), URL).content;
    for (const line of LINES) expect(content).toContain(line);
  });

  it('finds the articleBody inside an @graph, as Yoast and other SEO plugins write it', () => {
    const graph = { '@context': 'https://schema.org', '@graph': [{ '@type': 'WebPage', name: 'x' }, NEWS_ARTICLE] };
    const content = extractHtml(page({ about: ABOUT_LONG, jsonLd: graph }), URL).content;
    for (const line of LINES) expect(content).toContain(line);
  });

  it('without that evidence keeps the first result, which is what the evidence is for', () => {
    const content = extractHtml(page({ about: ABOUT_LONG }), URL).content;
    expect(content).toContain('customs house');
    expect(content).not.toContain(LINES[0]);
  });
});

describe("the page's JSON-LD articleBody", () => {
  const documentWith = (...scripts: string[]) =>
    new JSDOM(
      `<html><head>${scripts.map((script) => `<script type="application/ld+json">${script}</script>`).join('')}</head><body></body></html>`,
    ).window.document;

  it('is read from an Article, an array, an @graph or a mainEntity, whitespace collapsed', () => {
    expect(jsonLdArticleBody(documentWith('{"@type":"Article","articleBody":"One  two\\nthree"}'))).toBe(
      'One two three',
    );
    expect(jsonLdArticleBody(documentWith('[{"@type":"Person"},{"@type":"BlogPosting","articleBody":"Body"}]'))).toBe(
      'Body',
    );
    expect(jsonLdArticleBody(documentWith('{"@type":"WebPage","mainEntity":{"articleBody":"Main"}}'))).toBe('Main');
  });

  it('is the longest of several, and broken JSON-LD (common on real sites) counts as none', () => {
    const document = documentWith(
      '{"articleBody": "short"',
      '{"@type":"NewsArticle","articleBody":"the longer body"}',
      '{"@type":"NewsArticle","articleBody":"short"}',
    );
    expect(jsonLdArticleBody(document)).toBe('the longer body');
    expect(jsonLdArticleBody(documentWith('not json'))).toBe('');
  });
});

/**
 * A recipe blog post: the post is short lines (ingredients and steps, each under the 25 characters Readability
 * needs to score a paragraph) in the block the theme names `entry-content`, and the author's box is the one
 * long paragraph on the page, so Readability chooses the author's box.
 */
const RECIPE = [
  'Almond stars',
  '250 g ground almonds',
  '200 g icing sugar',
  'Two egg whites',
  'A pinch of cinnamon',
  'Beat the egg whites.',
  'Fold in the almonds.',
  'Add the sugar slowly.',
  'Chill for one hour.',
  'Roll out the dough.',
  'Cut out the stars.',
  'Bake for twelve minutes.',
  'Let them cool first.',
  'Keep them in a tin.',
];
const AUTHOR =
  'Anna has baked for her family and friends for thirty years, first in a small flat in the old town, and now in a ' +
  'farmhouse kitchen with a wood oven; she writes about the recipes of her grandmother, about flour, about butter, and ' +
  'about the seasons, and she answers every question that readers send her, by post or by mail, within a week.';

function recipePage(container: string): string {
  return `<!doctype html><html lang="en"><head><title>Almond biscuits</title></head><body>
<div class="wrap"><div class="${container}">${RECIPE.map((line) => `<div>${line}</div>`).join('\n')}</div></div>
<div class="box"><div class="about"><p>${AUTHOR}</p><p>Anna lives in the hills.</p></div></div></body></html>`;
}

describe('the container a page names, as a candidate beside Readability', () => {
  it('takes the block the page names as its article body when Readability chose a different block', () => {
    const content = extractHtml(recipePage('entry-content'), 'https://baking.example/almond').content;
    for (const line of RECIPE) expect(content).toContain(line);
    expect(content).not.toContain('farmhouse kitchen');
  });
});

/**
 * A podcast episode's page: the show notes in the block the theme names `entry-content` are short and about 40%
 * links (guests' pages, the audio file), and the one long paragraph on the page is the host's biography in the
 * post's footer, which Readability chooses.
 */
const SHOW_NOTES = [
  'At the camp in Berlin we recorded this episode live, with two guests from the <a href="https://guests.example/society">knowledge management society</a>.',
  'Guests: <a href="https://guests.example/heisig">Professor Peter Heisig</a> and <a href="https://guests.example/bornemann">Doctor Manfred Bornemann</a>.',
  'They talk about what they heard in the sessions and what they will <a href="https://camp.example/2019">take home from the camp</a>.',
  'Listen to the <a href="https://audio.example/ep39.mp3">episode as an audio file</a> or in your podcast app.',
];
const BIOGRAPHY =
  'Simon has worked on learning organisations for twenty years, first as an engineer in telecommunications and ' +
  'then as the founder of an academy for knowledge management, and he is a member of several communities of ' +
  'practice on corporate learning, new work and lifelong learning, about which he writes and speaks often.';

function episodePage(): string {
  return `<!doctype html><html lang="en"><head><title>Episode 39: live from the camp</title></head><body>
<div id="main"><article class="post"><h1>Episode 39: live from the camp</h1>
<div class="entry-content">${SHOW_NOTES.map((line) => `<p>${line}</p>`).join('\n')}</div>
<footer class="entry-meta"><div id="author-info"><div id="author-description"><h2>About Simon</h2>
<p>${BIOGRAPHY}</p></div></div></footer></article></div></body></html>`;
}

describe("the block a page names as its article's body, when Readability chose a block outside it", () => {
  it('is taken even when a good share of it is links, as show notes are', () => {
    const content = extractHtml(episodePage(), 'https://podcast.example/episode-39').content;
    expect(content).toContain('At the camp in Berlin we recorded this episode live');
    expect(content).toContain('take home from the camp');
    expect(content).not.toContain('learning organisations for twenty years');
  });
});
