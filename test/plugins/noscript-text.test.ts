import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { extractHtml } from '../../plugins/browse/extract-content.js';
import { revealNoscriptText } from '../../plugins/browse/noscript-text.js';

/**
 * A blog post as Blogger's dynamic template serves it: the post is drawn by a script, and readers without
 * scripts get it from a `<noscript>` copy; the sidebar's "about" text is the only other prose on the page.
 */
const POST = [
  'Over the past year we have seen phishing pages become harder to tell apart from the sites they copy.',
  'Enhanced protection checks each page against a list that is updated every few minutes, not every hour.',
  'The browser sends a partial hash of the address, so the service never learns which page was visited.',
  'In our trials the new mode warned people about dangerous downloads twice as often as the standard one.',
];
const ABOUT =
  'This blog is written by the security team and covers the research, the tools and the policies that keep ' +
  'people safe on the web, with posts from engineers, product managers and the researchers who work with them ' +
  'on the internet at large, about once a week since the first post in the spring of 2007.';

function blogPage(): string {
  return `<!doctype html><html lang="en"><head><title>Safer browsing</title></head><body>
<noscript><div class="notice">Please enable JavaScript to see the comments.</div></noscript>
<div class="main"><div class="post"><h3 class="post-title">Safer browsing for everyone</h3>
<div class="post-body"><script type="text/template">${POST.map((line) => `&lt;p&gt;${line}&lt;/p&gt;`).join('')}</script>
<noscript>${POST.map((line) => `<p>${line}</p>`).join('\n')}</noscript></div></div></div>
<div class="sidebar"><div class="widget about"><p>${ABOUT}</p></div></div></body></html>`;
}

describe('a post given only to readers without scripts', () => {
  it("is extracted from the page's <noscript> copy, not replaced by the sidebar's text", () => {
    const content = extractHtml(blogPage(), 'https://security.example/2020/05/safer.html').content;
    for (const line of POST) expect(content).toContain(line);
    expect(content).not.toContain('about once a week');
  });

  it('leaves a short notice for readers without scripts in its <noscript>, for Readability to remove', () => {
    const { document } = new JSDOM(blogPage()).window;
    expect(revealNoscriptText(document.body)).toBe(1);
    const notices = [...document.querySelectorAll('noscript')].map((noscript) => noscript.textContent);
    expect(notices).toEqual(['Please enable JavaScript to see the comments.']);
  });

  it('leaves a menu for readers without scripts, which is links', () => {
    const links = Array.from(
      { length: 20 },
      (_, index) => `<li><a href="/topic/${index}">Topic number ${index}</a></li>`,
    );
    const { document } = new JSDOM(`<body><noscript><ul>${links.join('')}</ul></noscript></body>`).window;
    expect(revealNoscriptText(document.body)).toBe(0);
  });
});
