import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { NAMED_TEASER_RULE, SIDEBAR_RULE } from '../../plugins/browse/article-chrome-rules.js';
import { applyRules } from '../../plugins/browse/block-rules.js';
import { extractHtml } from '../../plugins/browse/extract-content.js';

const PROSE = [
  'The river authority opened the new flood barrier on Tuesday after four years of construction and two public inquiries into its cost.',
  'Engineers say the barrier can hold back a surge one metre higher than the record of 1953, and that it will be tested twice a year.',
  'Residents of the lower town, who were evacuated three times in the last decade, welcomed the opening but asked for a warning system too.',
  'The authority will publish the results of each test on its website, together with the water levels measured along the estuary.',
];

/** An article of eight long paragraphs with `chrome` after its second paragraph. */
function page(chrome: string, options: { lang?: string; around?: (article: string) => string } = {}): string {
  const paragraphs = [...PROSE, ...PROSE].map((text) => `<p>${text} ${text}</p>`);
  paragraphs.splice(2, 0, chrome);
  const article = `<article><h1>Flood barrier opens</h1>${paragraphs.join('\n')}</article>`;
  return `<!doctype html><html lang="${options.lang ?? 'en'}"><head><title>Flood barrier opens</title></head><body>
${options.around ? options.around(article) : article}</body></html>`;
}

function extract(html: string): string {
  return extractHtml(html, 'https://news.example/flood').content;
}

const cases: Array<{ kind: string; chrome: string; gone: string; lang?: string }> = [
  {
    kind: 'picture caption (figcaption)',
    chrome: '<figure><img src="b.jpg"><figcaption>The gate seen from the lower town</figcaption></figure>',
    gone: 'seen from the lower town',
  },
  {
    kind: 'picture caption (by class, German)',
    chrome: '<div class="image"><img src="b.jpg"><p class="bildunterschrift">Das Tor vom Hafen aus</p></div>',
    gone: 'Das Tor vom Hafen aus',
    lang: 'de',
  },
  {
    kind: 'card previewing another page',
    chrome:
      '<blockquote class="wp-embedded-content"><a href="https://other.example/dam">Dam plans shelved after protest</a></blockquote>',
    gone: 'Dam plans shelved',
  },
  {
    kind: 'consent placeholder of an embedded post',
    chrome:
      '<div class="BorlabsCookie"><p>Click below to load the content of Twitter. By loading it you accept their privacy policy.</p></div>',
    gone: 'load the content of Twitter',
  },
  {
    kind: '"read also" line (Spanish)',
    chrome: '<p><strong>Lea también:</strong> <a href="/otra">Cierran el puente viejo por obras</a></p>',
    gone: 'Cierran el puente viejo',
    lang: 'es',
  },
  {
    kind: '"read also" line (German)',
    chrome:
      '<p>Lesen Sie auch: <a href="/andere">Neue Deiche für die Küste: wie das Land die Marschen gegen die Sturmflut sichert</a></p>',
    gone: 'Neue Deiche',
    lang: 'de',
  },
  {
    kind: 'prompt to subscribe (English)',
    chrome: '<p>Already a subscriber? Log in to read the full story in our digital edition.</p>',
    gone: 'Already a subscriber',
  },
  {
    kind: 'prompt to read on (French)',
    chrome: '<p>Pour lire la suite, abonnez-vous dès maintenant.</p>',
    gone: 'Pour lire la suite',
    lang: 'fr',
  },
  {
    kind: 'box about the author (by class)',
    chrome:
      '<div class="author-bio"><p>Jane Doe has covered rivers and coasts for the paper since 2004, first from the Hull office and then as the environment correspondent in London.</p><p>Before that she worked for the BBC in Leeds and for a news agency in Hamburg. She lives in Leeds with two dogs and a boat, and writes a weekly column on the canals of the north.</p></div>',
    gone: 'covered rivers and coasts',
  },
  {
    kind: 'line of filing details (German)',
    chrome: '<div>Kategorie: Umwelt</div><div>Aufrufe: 512</div>',
    gone: 'Aufrufe',
    lang: 'de',
  },
  {
    kind: 'disclosure box (by class), two paragraphs long',
    chrome:
      '<section class="editorial-disclosure"><p>Editorial note: opinions expressed here are the author&rsquo;s alone, not those of any bank, card issuer, airline or hotel chain, and have not been reviewed or approved by any of them.</p><p>The responses below are not provided or commissioned by the bank advertiser, and it is not the advertiser&rsquo;s responsibility to ensure all questions are answered.</p></section>',
    gone: 'bank advertiser',
  },
  {
    kind: 'disclaimer by its words (English)',
    chrome:
      '<p>River News is not responsible for the opinions, statements or media content presented by contributors.</p>',
    gone: 'not responsible for the opinions',
  },
  {
    kind: 'advertising notice by its words (German)',
    chrome: '<p>*Werbung. Dieser Beitrag enthält Werbung für den Hersteller der Schleusentore.</p>',
    gone: 'enthält Werbung',
    lang: 'de',
  },
  {
    kind: 'label of a control that shows a picture (German)',
    chrome: '<div class="toggle"><span>Bild anzeigen</span></div>',
    gone: 'Bild anzeigen',
    lang: 'de',
  },
  {
    kind: 'label of a control that loads more (English)',
    chrome: '<div class="loader"><span>Show more ...</span></div>',
    gone: 'Show more',
  },
  {
    kind: 'reading-time widget (by class, Polish)',
    chrome: '<div class="meta"><span class="readingTime">Ten tekst przeczytasz w 3 minuty</span></div>',
    gone: 'przeczytasz',
    lang: 'pl',
  },
  {
    kind: 'teaser of another article ending in "Weiterlesen" (German)',
    chrome:
      '<div class="card"><h3>Neue Schleuse im Norden</h3><div>Auch im Norden wird gebaut: die alte Schleuse bekommt ein zweites Tor. <a href="/schleuse-nord">Weiterlesen</a></div></div>',
    gone: 'zweites Tor',
    lang: 'de',
  },
  {
    kind: 'teaser of another article ending in "Czytaj więcej" (Polish)',
    chrome:
      '<div><strong>Nowa tama na rzece</strong><p>Jak powstaje tama i dlaczego trwa to tak długo – sprawdź nasze porady w poradniku.</p><a href="/tama">Czytaj więcej</a></div>',
    gone: 'sprawdź nasze porady',
    lang: 'pl',
  },
  {
    kind: 'dated line of filing details (German)',
    chrome: '<p>Freitag | 14. Juni 2019 | 15:49 VON Jana Roth IN Umwelt | 0 KOMMENTARE</p>',
    gone: 'Jana Roth',
    lang: 'de',
  },
  {
    kind: 'dated line of filing details cut by a line break',
    chrome: '<div class="info">24.01.2022 11:38<br>Category: <a href="/news">News</a></div>',
    gone: 'Category',
  },
  {
    kind: 'prompt to log in before commenting (German)',
    chrome:
      '<div id="form"><h2>Kommentieren</h2><h3>Sie müssen sich <a href="/login">einloggen</a>, um sich an einer Diskussion beteiligen zu können.</h3></div>',
    gone: 'Kommentieren',
    lang: 'de',
  },
  {
    kind: 'licence notice of the text (German)',
    chrome:
      '<p>Dieser Text wurde veröffentlicht unter der Lizenz <a href="https://creativecommons.org/licenses/by-nd/4.0/">CC BY-ND 4.0</a>.</p>',
    gone: 'veröffentlicht unter der Lizenz',
    lang: 'de',
  },
  {
    kind: 'suggested citation of the post',
    chrome:
      '<div class="cite"><span>SUGGESTED CITATION</span> Doe, Jane: Flood barrier opens, River Blog, 2020/4/09, https://news.example/flood.</div>',
    gone: 'River Blog',
  },
  {
    kind: 'prompt to be kept informed (English)',
    chrome: '<p><i>Do you want to be informed of our actions? <a href="/newsletter">Sign up here</a></i></p>',
    gone: 'Sign up here',
  },
  {
    kind: "prompt to get the news on one's phone (English)",
    chrome: '<p><b>Get the latest news straight to your phone with the River News app.</b></p>',
    gone: 'River News app',
  },
  {
    kind: 'line pointing at another page for more (German)',
    chrome:
      '<p><i>Auch in London wurde gebaut. Mehr zu dem neuen Sperrwerk an der Themse lesen Sie hier: </i><a href="/themse">Das Themse-Sperrwerk</a></p>',
    gone: 'lesen Sie hier',
    lang: 'de',
  },
  {
    kind: 'line pointing at another page for more (English)',
    chrome: '<p>Find out more about the history of the old dam <a href="/old-dam">here</a>.</p>',
    gone: 'history of the old dam',
  },
  {
    kind: 'label of a box about the author (German)',
    chrome:
      '<div style="font-weight:bold">Über den Autor</div><div class="profile"><p>Jana Roth schreibt über Flüsse.</p></div>',
    gone: 'Über den Autor',
    lang: 'de',
  },
  {
    kind: 'box of an author-box plugin',
    chrome:
      '<div class="saboxplugin-wrap"><div class="saboxplugin-authorname"><a href="/author/jane">Jane Doe</a></div><div class="saboxplugin-desc"><p>Jane Doe has written about rivers and coasts since 2004.</p></div></div>',
    gone: 'written about rivers and coasts',
  },
  {
    kind: 'note of where the text first appeared (German)',
    chrome:
      '<p>Dieser Beitrag stammt aus Ausgabe 7/2019 der Flusszeitung. Das Heft ist ab 20.06.2019 im Handel erhältlich.</p>',
    gone: 'stammt aus Ausgabe',
    lang: 'de',
  },
  {
    kind: "picture's credit line in parentheses, in italics",
    chrome: '<p><img src="chart.png"><br><em>(Credit: Jane Roe / River News)</em></p>',
    gone: 'Jane Roe',
  },
  {
    kind: 'permalink line (French)',
    chrome: '<ul><li><strong>Permalien</strong> https://p.news.example/p/RPYx</li></ul>',
    gone: 'RPYx',
    lang: 'fr',
  },
  {
    kind: 'heading of a related block of audios (French)',
    chrome: '<h4>Audios et vidéos sur le sujet</h4>',
    gone: 'Audios et vidéos',
    lang: 'fr',
  },
  {
    kind: 'heading of a related block (French)',
    chrome: '<h3>Articles et vidéos sur le sujet</h3>',
    gone: 'vidéos sur le sujet',
    lang: 'fr',
  },
];

describe('article chrome rules: each kind of block inside the article goes, the article stays', () => {
  for (const item of cases) {
    it(`removes a ${item.kind}`, () => {
      const text = extract(page(item.chrome, { lang: item.lang }));
      expect(text).not.toContain(item.gone);
      for (const paragraph of PROSE) expect(text).toContain(paragraph);
    });
  }

  it("removes a theme's sidebar widgets and teasers named as such from the content column the page names", () => {
    const document = new JSDOM(
      `<body><div id="content"><article>${PROSE.map((text) => `<p>${text}</p>`).join('')}` +
        '<div class="sz-teaser"><a href="/story/trains"><span class="teaser__headline">Faster trains to the coast</span></a> From May.</div>' +
        '<p class="article-teaser">Four years late, the barrier works.</p></article>' +
        '<aside id="sidebar"><div class="widget widget_text"><p>All texts on this site are under a Creative Commons licence.</p></div>' +
        '<div class="widget widget_categories"><ul><li><a href="/c/1">Rivers</a></li><li><a href="/c/2">Coasts</a></li></ul></div></aside></div></body>',
      { url: 'https://news.example/flood' },
    ).window.document;
    applyRules(document.body, [SIDEBAR_RULE, NAMED_TEASER_RULE]);
    const text = document.body.textContent ?? '';
    for (const gone of ['Creative Commons', 'Coasts', 'Faster trains']) expect(text).not.toContain(gone);
    for (const kept of [...PROSE, 'Four years late']) expect(text).toContain(kept);
  });

  it('keeps the captions of a gallery, where they are the text', () => {
    const photos = Array.from(
      { length: 6 },
      (_, index) =>
        `<figure><img src="${index}.jpg"><figcaption>Photo ${index}: the flood gate at high tide, seen from the harbour wall on the north bank, where the old ferry used to land before the barrier was built</figcaption></figure>`,
    ).join('');
    const text = extract(page(photos));
    expect(text).toContain('seen from the harbour wall');
  });

  it("removes a caption of one short line even where the captions add up to a gallery's share", () => {
    const long = `<figure><img src="a.jpg"><figcaption>${PROSE[0]} ${PROSE[1]}</figcaption></figure>`;
    const label =
      '<figure><img src="b.jpg"><figcaption>The mayor at the opening. Photo: Jane Roe</figcaption></figure>';
    const text = extract(page(long + label));
    expect(text).toContain(`${PROSE[0]} ${PROSE[1]}`);
    expect(text).not.toContain('The mayor at the opening');
  });

  it('keeps embedded posts and a "Mira:" line without a link', () => {
    const text = extract(
      page(
        '<blockquote class="twitter-tweet"><p>The gates are closing right now, what a sight</p></blockquote>' +
          '<p>Mira: the water was up to the second step.</p>',
        { lang: 'es' },
      ),
    );
    for (const kept of ['what a sight', 'Mira: the water']) expect(text).toContain(kept);
  });

  it('keeps a paragraph that links to a source, a "read more" into the page itself and a dated sentence', () => {
    const text = extract(
      page(
        '<p>The full report of the inquiry into the barrier is on the authority site. <a href="https://authority.example/report">Read the report</a></p>' +
          '<div>The second half of the report covers the costs of the barrier. <a href="#costs">Read more</a></div>' +
          '<p>On 14 June 2019 | by the river authority</p>',
      ),
    );
    for (const kept of ['Read the report', 'covers the costs', 'On 14 June 2019']) expect(text).toContain(kept);
  });

  it("keeps a press release's own notes that point at a link, which say what is there, not where to read more", () => {
    const text = extract(
      page(
        '<p><strong>Note to editors:<br> Photos for download</strong> are here: <a href="https://photos.example/x">https://photos.example/x</a></p>' +
          '<p lang="de">Fotos zum Download finden Sie hier: <a href="https://fotos.example/x">fotos.example</a></p>',
      ),
    );
    for (const kept of ['Photos for download', 'Fotos zum Download']) expect(text).toContain(kept);
  });

  it('keeps a short article over the cookie notice of its page', () => {
    const html = `<!doctype html><html lang="de"><head><title>Nichts tun</title></head><body>
<div id="content"><div class="post"><p>„Ich weiß, ich bin müde und sollte das vielleicht nicht sagen.“</p><p>– „Dann sag es nicht.“</p></div>
<div class="comment-respond"><h3>Kommentar verfassen</h3><form><textarea></textarea></form></div></div>
<div class="widget widget_eu_cookie_law_widget"><p id="eu-cookie-law"><form>Datenschutz &amp; Cookies: Diese Website verwendet Cookies. Wenn du die Website weiterhin nutzt, stimmst du der Verwendung von Cookies zu. Weitere Informationen, beispielsweise zur Kontrolle von Cookies, findest du hier: <a href="/cookies">Cookie-Richtlinie</a></form></p></div>
</body></html>`;
    const text = extract(html);
    expect(text).toContain('Dann sag es nicht');
    expect(text).not.toContain('Cookie-Richtlinie');
  });
});
