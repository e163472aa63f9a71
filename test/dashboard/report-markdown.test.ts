// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../dashboard/src/markdown.js';

const REPORT = [
  '# Report',
  '',
  'Growth was 42% [1][2]. <script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> [click](javascript:window.__xss=3) [site](https://example.org/a).',
  '',
  '## References',
  '',
  '[1] Wikipedia: Topic. https://en.wikipedia.org/wiki/Topic',
  '[2] <b onmouseover="x()">Hostile</b> [me](javascript:alert(1)) title. http://127.0.0.1/page',
].join('\n');

function render(): HTMLElement {
  const container = document.createElement('div');
  container.append(renderReport(REPORT, (number) => (number === 1 ? 'wiki-1' : number === 2 ? 'source-1' : undefined)));
  return container;
}

describe('the report as the dashboard renders it', () => {
  it('shows raw HTML as text and keeps no script, handler or javascript: link', () => {
    const html = render();
    expect(html.textContent).toContain('<script>window.__xss=1</script>');
    expect(html.textContent).toContain('<img src=x onerror="window.__xss=2">');
    expect(html.querySelectorAll('script, img, b')).toHaveLength(0);
    expect(
      [...html.querySelectorAll('*')]
        .flatMap((element) => [...element.attributes].map((attribute) => attribute.name))
        .filter((name) => name.startsWith('on')),
    ).toEqual([]);
    expect(
      [...html.querySelectorAll('a')]
        .map((anchor) => anchor.getAttribute('href') ?? '')
        .filter((href) => !/^(https?:|#)/.test(href) && href !== ''),
    ).toEqual([]);
  });

  it('opens outside links with rel="noopener noreferrer"', () => {
    const link = [...render().querySelectorAll('a')].find((anchor) => anchor.textContent === 'site');
    expect(link?.getAttribute('href')).toBe('https://example.org/a');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link?.getAttribute('target')).toBe('_blank');
  });

  it('links each citation to its source card, and marks the reference list entries', () => {
    const html = render();
    const citations = [...html.querySelectorAll('a.citation')].map((anchor) => [
      anchor.textContent,
      anchor.getAttribute('href'),
      anchor.id,
    ]);
    expect(citations).toEqual([
      ['[1]', '#wiki-1', ''],
      ['[2]', '#source-1', ''],
      ['[1]', '#wiki-1', 'ref-1'],
      ['[2]', '#source-1', 'ref-2'],
    ]);
    expect(html.querySelector('#ref-2')?.closest('.references')).not.toBeNull();
  });
});
