import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole } from 'jsdom';
import createHttpBrowse from '../plugins/browse/http.js';
import { extractHtml } from '../plugins/browse/extract-content.js';
import { countTokens } from '../src/text/token-count.js';
import { silentLogger } from '../src/logger.js';
import { focusedContext } from '../src/text/focused-context.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:browse`: over the 40 real pages of ../shared/corpus/web-pages, (1) extraction time per page
 * (jsdom + Readability + Markdown, one page at a time), (2) the event loop's lag p99 while all 40 pages are
 * browsed at once through the plugin (fetch on the loop, extraction in the worker pool), (3) prompt tokens per
 * page: the page's visible text (what the seed sent), the extracted Markdown, and the query-focused context.
 */
const CORPUS = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/corpus/web-pages');
/** The focused context's budget here: a summary prompt's share of a small model's context. */
export const FOCUS_BUDGET_TOKENS = 1200;

interface PageFigures {
  name: string;
  extractMs: number;
  visibleTokens: number;
  markdownTokens: number;
  focusedTokens: number;
}

/** The text a reader sees: body text without scripts, styles and templates, as the seed's crawler sent it. */
function visibleText(html: string): string {
  const document = new JSDOM(html, { virtualConsole: new VirtualConsole() }).window.document;
  for (const node of document.querySelectorAll('script, style, noscript, template')) node.remove();
  return (document.body?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export async function runBrowseBench() {
  if (!existsSync(CORPUS))
    throw new Error(
      `bench:browse needs the page corpus beside the repository, at ${CORPUS} (../shared/corpus/web-pages), and it is missing; npm test does not need it`,
    );
  const names = readdirSync(CORPUS)
    .filter((name) => existsSync(path.join(CORPUS, name, 'source.html')))
    .sort();
  const sources = new Map(names.map((name) => [name, readFileSync(path.join(CORPUS, name, 'source.html'), 'utf8')]));
  const titles = new Map(
    names.map((name) => [
      name,
      (JSON.parse(readFileSync(path.join(CORPUS, name, 'expected-metadata.json'), 'utf8')) as { title: string }).title,
    ]),
  );

  const pages: PageFigures[] = [];
  for (const name of names) {
    const html = sources.get(name) as string;
    const started = performance.now();
    const extracted = extractHtml(html, `http://127.0.0.1/${name}/`);
    const extractMs = performance.now() - started;
    // The query a researcher would bring to the page: its own headline.
    const focused = await focusedContext(extracted.content, titles.get(name) ?? '', {
      budgetTokens: FOCUS_BUDGET_TOKENS,
    });
    pages.push({
      name,
      extractMs,
      visibleTokens: countTokens(visibleText(html)),
      markdownTokens: countTokens(extracted.content),
      focusedTokens: countTokens(focused),
    });
  }

  const server = createServer((request, response) => {
    const html = sources.get((request.url ?? '').split('/')[1] ?? '');
    response.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browse = await createHttpBrowse(
    { use: 'http', allowHosts: ['127.0.0.1'] },
    { logger: silentLogger(), cacheDirectory: '/tmp', env: {} },
  );
  // Warm the pool so worker start-up is not counted as lag.
  await browse.browse(`http://127.0.0.1:${port}/${names[0]}/`);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const started = performance.now();
  await Promise.all(names.map((name) => browse.browse(`http://127.0.0.1:${port}/${name}/`)));
  const wallMs = performance.now() - started;
  lag.disable();
  await browse.close?.();
  server.close();

  const sum = (pick: (page: PageFigures) => number) => pages.reduce((total, page) => total + pick(page), 0);
  return {
    pages,
    extractP50: percentile(
      pages.map((page) => page.extractMs),
      50,
    ),
    extractP95: percentile(
      pages.map((page) => page.extractMs),
      95,
    ),
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
    wallMs,
    visible: sum((page) => page.visibleTokens),
    markdown: sum((page) => page.markdownTokens),
    focused: sum((page) => page.focusedTokens),
  };
}

export function formatBrowseTable(result: Awaited<ReturnType<typeof runBrowseBench>>): string {
  const ratio = (value: number) => (value / result.visible).toFixed(2);
  const perPage = (value: number) => Math.round(value / result.pages.length);
  return [
    `Corpus: ${result.pages.length} pages. Focused context budget: ${FOCUS_BUDGET_TOKENS} tokens, query = the page's headline.`,
    '',
    '| figure | value | goal |',
    '|---|---|---|',
    `| extraction per page, p50 / p95 | ${result.extractP50.toFixed(0)} ms / ${result.extractP95.toFixed(0)} ms | |`,
    `| event-loop lag p99 (max) while 40 pages are browsed at once | ${result.lagP99Ms.toFixed(1)} ms (${result.lagMaxMs.toFixed(1)} ms), all 40 in ${(result.wallMs / 1000).toFixed(1)} s | < 30 ms |`,
    `| tokens per page, visible text (the seed's prompt) | ${perPage(result.visible)} | |`,
    `| tokens per page, extracted Markdown | ${perPage(result.markdown)} (${ratio(result.markdown)}x) | <= 0.65x |`,
    `| tokens per page, query-focused context | ${perPage(result.focused)} (${ratio(result.focused)}x) | <= 0.3x |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${formatBrowseTable(await runBrowseBench())}\n`);
}
