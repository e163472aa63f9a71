import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWireServer, type WireServer } from './wire-server.js';

const require = createRequire(import.meta.url);

/**
 * `test/fixtures/web-pages/`: 40 real pages with Readability's expected output, gzipped, kept in the repository
 * so that a clone with nothing beside it passes its tests (see the README there for their origin and licence).
 */
export const CORPUS_DIR = path.resolve(repositoryRoot(), 'test/fixtures/web-pages');

/** The folder of agentd's package.json, from test/helpers/ as source or from dist/test/helpers/ as built. */
function repositoryRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    try {
      if (
        (JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name?: string }).name === 'agentd'
      )
        return directory;
    } catch {
      // Not here: one level up.
    }
    directory = path.dirname(directory);
  }
  throw new Error('cannot find the agentd repository root');
}

export interface CorpusPage {
  name: string;
  source: Buffer;
  readonly expectedText: string;
  metadata: { title: string; byline: string | null; lang?: string | null };
}

let loaded: CorpusPage[] | undefined;

/**
 * The corpus, read once per process. `expectedText` is parsed (jsdom) when first read: the end-to-end tests
 * serve the sources and never read it, and parsing the 40 expected pages cost each of their setups seconds.
 */
export function loadCorpus(): CorpusPage[] {
  if (!existsSync(CORPUS_DIR)) throw new Error(`the page corpus is missing: expected it at ${CORPUS_DIR}`);
  loaded ??= readdirSync(CORPUS_DIR)
    .filter((name) => existsSync(path.join(CORPUS_DIR, name, 'source.html.gz')))
    .sort()
    .map((name) => {
      let expectedText: string | undefined;
      return {
        name,
        source: gunzipSync(readFileSync(path.join(CORPUS_DIR, name, 'source.html.gz'))),
        get expectedText() {
          expectedText ??= textOf(
            gunzipSync(readFileSync(path.join(CORPUS_DIR, name, 'expected.html.gz'))).toString('utf8'),
          );
          return expectedText;
        },
        metadata: JSON.parse(readFileSync(path.join(CORPUS_DIR, name, 'expected-metadata.json'), 'utf8')),
      };
    });
  return loaded;
}

/** The text of an HTML document, by jsdom (required when first needed: it takes a second to load). */
function textOf(html: string): string {
  const { JSDOM, VirtualConsole } = require('jsdom') as typeof import('jsdom');
  return new JSDOM(html, { virtualConsole: new VirtualConsole() }).window.document.body.textContent ?? '';
}

/** Serves each page's source at `/<name>/` as a site would, HTML with no declared charset (pages declare their own). */
export function serveCorpus(pages: CorpusPage[]): Promise<WireServer> {
  const byName = new Map(pages.map((page) => [page.name, page]));
  return startWireServer((request, response) => {
    const page = byName.get(request.url.split('/')[1] ?? '');
    if (!page) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(page.source);
  });
}

/** Words of a text for recall: lower-case letter/number runs; CJK characters one by one. */
export function words(text: string): string[] {
  const found: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(match[0]))
      found.push(...match[0]);
    else found.push(match[0]);
  }
  return found;
}

/** Share of `expected`'s words (with multiplicity) that `actual` keeps. */
export function wordRecall(expected: string, actual: string): number {
  const counts = new Map<string, number>();
  for (const word of words(actual)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const wanted = words(expected);
  let kept = 0;
  for (const word of wanted) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      kept += 1;
      counts.set(word, left - 1);
    }
  }
  return wanted.length === 0 ? 1 : kept / wanted.length;
}
