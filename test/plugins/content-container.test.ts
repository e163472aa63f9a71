import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { namedContainer } from '../../plugins/browse/content-container.js';
import { extractHtml } from '../../plugins/browse/extract-content.js';

/**
 * A forum thread as forum software writes it: each post an `<article>` of one class, its text deep inside the
 * post's cells, so that Readability's scores never reach the thread and it keeps one reply. The question is
 * shorter than the longest reply.
 */
const POSTS = [
  'Hello. Every night my cat leaves black crumbs on his blanket by the window. In the evening he looks clean.',
  'Could it be ear mites? One of our first cats had them, and dark crumbs came out of her ears for weeks, then months, until the vet, a patient man, found them, cleaned her ears, gave her drops, and told us to wash the blankets, the cushions, the rugs, and the basket, every week, at sixty degrees. Or, maybe, he digs in a flower pot at night, in the dark, and brings the soil, the sand, or the moss, to bed with him; ours did that, every spring, for years, until we covered the pots with stones.',
  'Mine brings in dry leaves and grass and moss in his long fur but nothing like crumbs.',
  'Do you give him a spot-on against fleas? Crumbs that turn red in water are flea droppings.',
  'Our tomcat sleeps in the cellar and is never dirty at all. He hates the brush too.',
  'Update: I combed him with a flea comb and the crumbs turned red in water. So it is fleas after all.',
];

function post(text: string, index: number): string {
  const cells = `<div class="message-body"><div class="bbWrapper">${text}</div></div>`;
  return `<article class="message message--post" id="post-${index}"><div class="message-inner">
<div class="message-cell message-cell--user"><a href="/members/${index}">member${index}</a></div>
<div class="message-cell message-cell--main"><div class="message-main"><div class="message-content">
<div class="message-userContent">${cells}</div></div></div></div></div></article>`;
}

function thread(posts: string[]): string {
  return `<!doctype html><html lang="en"><head><title>Black crumbs on the blanket every night</title></head><body>
<div class="p-body"><h1>Black crumbs on the blanket every night</h1>
<div class="block"><div class="block-container"><div class="block-body">${posts.join('\n')}</div></div></div></div>
</body></html>`;
}

describe('a forum thread, whose posts are <article>s of one class', () => {
  it('is extracted whole, the question and every reply, not only the longest reply', () => {
    const content = extractHtml(thread(POSTS.map(post)), 'https://forum.example/threads/crumbs.42/').content;
    for (const text of POSTS) expect(content).toContain(text);
  });

  it('is not taken from a list of teaser cards, whose titles link away', () => {
    const title =
      'A title of a hundred and twenty characters that links to the story it stands for, on another page of the same site';
    const excerpt =
      'An excerpt of the story that the card previews, a few lines long, with a sentence or two of the story and no more than that, so that the reader knows what the story is about.';
    const cards = [1, 2, 3, 4].map(
      (index) => `<article class="card"><h2><a href="/story/${index}">${title}</a></h2><p>${excerpt}</p></article>`,
    );
    const { document } = new JSDOM(`<body><div class="list">${cards.join('')}</div></body>`).window;
    expect(namedContainer(document.body)?.element.className).toBe('card');
  });
});
