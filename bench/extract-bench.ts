import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { decodeBody } from '../plugins/browse/decode-body.js';
import { extractHtml } from '../plugins/browse/extract-content.js';
import type { Extracted } from '../plugins/browse/extracted.js';
import { countTokens } from '../src/text/token-count.js';
import { loadCorpus, wordRecall } from '../test/helpers/corpus.js';
import { percentile } from './stats.js';

/**
 * `npm run bench:extract`: main-content extraction quality, in process (the function the worker runs).
 * (1) ../shared/corpus/trafilatura-eval, 990 annotated pages, scored as trafilatura's own evaluation does
 * (the extraction reduced to plain text, whitespace collapsed; a `with` segment found is a true positive, a
 * `without` segment found a false positive); (2) the 40 Readability pages (test/fixtures/web-pages, a copy of
 * ../shared/corpus/web-pages), where every
 * page must keep >= 95% of the words of `expected.html`.
 *
 * Options: `--limit N` (first N pages of the split), `--split all|even|odd` (pages by index in
 * evaldata.json's order, for a held-out check while tuning), `--worst N` (list the N pages with the most
 * errors), `--only trafilatura|readability`, `--out FILE` (every page's score as JSON), `--repeat N` (extract each page N times and keep its
 * fastest time: the steadiest figure on a shared machine), `--corpus DIR` (where trafilatura-eval is; default ../shared/corpus beside the repository).
 */
const DEFAULT_CORPUS = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/corpus');

const evalSchema = z.record(
  z.string(),
  z.object({ file: z.string(), with: z.array(z.string()), without: z.array(z.string()) }),
);

export interface ExtractBenchOptions {
  limit: number;
  split: 'all' | 'even' | 'odd';
  worst: number;
  only: 'both' | 'trafilatura' | 'readability';
  corpus: string;
  /** Write every page's score (segments missing and leaked, time, tokens) to this JSON file. */
  out?: string;
  /** Extractions per page; its fastest wall and CPU time are the page's. @default 1 */
  repeat: number;
}

interface PageScore {
  url: string;
  file: string;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  ms: number;
  /** CPU time of the extraction (user + system): near the idle wall time when the machine is shared. */
  cpuMs: number;
  tokens: number;
  failed: string | undefined;
  missing: string[];
  leaked: string[];
}

/**
 * Markdown reduced to the plain text a reader sees: heading, list, quote and table markers dropped, the escapes of
 * text that would read as such a marker (`3\. Klasse`, `\- 5 °C`) undone, whitespace collapsed.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, '')
    .replace(/^\s*>\s?/gm, '')
    .replace(/\\([.+\-*#>])/g, '$1')
    .replace(/^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, '')
    .replace(/\s*\|\s*/g, ' ')
    .replace(/^```\w*$/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** This process's CPU time so far, in ms: on a shared machine, wall time per page measures the others' load too. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** `p50 W ms, p95 W ms (cpu p50 C ms, p95 C ms, all pages S s)`. */
function timing(wall: number[], cpu: number[]): string {
  const total = cpu.reduce((sum, ms) => sum + ms, 0) / 1000;
  return `p50 ${percentile(wall, 50).toFixed(0)} ms, p95 ${percentile(wall, 95).toFixed(0)} ms (cpu p50 ${percentile(cpu, 50).toFixed(0)} ms, p95 ${percentile(cpu, 95).toFixed(0)} ms, all pages ${total.toFixed(1)} s)`;
}

/**
 * Runs `extract` `repeat` times and keeps the fastest wall and CPU time: on a shared machine the others' load
 * only ever adds time, so the minimum of a few runs is the steadiest figure for comparing two builds.
 */
function timed(repeat: number, extract: () => Extracted): { extracted: Extracted; ms: number; cpu: number } {
  let extracted: Extracted | undefined;
  let ms = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let run = 0; run < repeat; run += 1) {
    const started = performance.now();
    const startedCpu = cpuMs();
    extracted = extract();
    ms = Math.min(ms, performance.now() - started);
    cpu = Math.min(cpu, cpuMs() - startedCpu);
  }
  return { extracted: extracted as Extracted, ms, cpu };
}

function scoreTrafilatura(options: ExtractBenchOptions): PageScore[] {
  const TRAFILATURA = path.join(options.corpus, 'trafilatura-eval');
  const data = evalSchema.parse(JSON.parse(readFileSync(path.join(TRAFILATURA, 'evaldata.json'), 'utf8')));
  const entries = Object.entries(data)
    .filter((_, index) => options.split === 'all' || index % 2 === (options.split === 'even' ? 0 : 1))
    .slice(0, options.limit);
  const scores: PageScore[] = [];
  for (const [url, item] of entries) {
    const file = ['cache', 'eval']
      .map((folder) => path.join(TRAFILATURA, folder, `${item.file}.gz`))
      .find((candidate) => existsSync(candidate));
    const score: PageScore = {
      url,
      file: item.file,
      tp: 0,
      fn: 0,
      fp: 0,
      tn: 0,
      ms: 0,
      cpuMs: 0,
      tokens: 0,
      failed: undefined,
      missing: [],
      leaked: [],
    };
    let text = '';
    try {
      if (!file) throw new Error('page file missing');
      const { text: html } = decodeBody(gunzipSync(readFileSync(file)), undefined);
      const { extracted, ms, cpu } = timed(options.repeat, () => extractHtml(html, url));
      score.ms = ms;
      score.cpuMs = cpu;
      text = plainText(extracted.content);
      score.tokens = countTokens(extracted.content);
    } catch (error) {
      score.failed = (error as Error).message;
    }
    for (const segment of item.with) {
      if (text.includes(collapse(segment))) score.tp += 1;
      else {
        score.fn += 1;
        score.missing.push(segment);
      }
    }
    for (const segment of item.without) {
      if (text.includes(collapse(segment))) {
        score.fp += 1;
        score.leaked.push(segment);
      } else score.tn += 1;
    }
    scores.push(score);
    if (scores.length % 100 === 0) process.stderr.write(`  ${scores.length}/${entries.length} pages\n`);
  }
  return scores;
}

function scoreReadability(repeat: number) {
  return loadCorpus().map((page) => {
    const { text } = decodeBody(page.source, undefined);
    const started = performance.now();
    const startedCpu = cpuMs();
    try {
      const { extracted, ms, cpu } = timed(repeat, () => extractHtml(text, `http://127.0.0.1/${page.name}/`));
      return {
        name: page.name,
        ms,
        cpuMs: cpu,
        recall: wordRecall(page.expectedText, extracted.content),
        tokens: countTokens(extracted.content),
        failed: undefined as string | undefined,
      };
    } catch (error) {
      return {
        name: page.name,
        ms: performance.now() - started,
        cpuMs: cpuMs() - startedCpu,
        recall: 0,
        tokens: 0,
        failed: (error as Error).message,
      };
    }
  });
}

export function runExtractBench(options: ExtractBenchOptions): string {
  const lines: string[] = [];
  const TRAFILATURA = path.join(options.corpus, 'trafilatura-eval');
  if (options.only !== 'readability') {
    if (!existsSync(TRAFILATURA)) lines.push(`trafilatura-eval: corpus not found at ${TRAFILATURA}, skipped`);
    else {
      const scores = scoreTrafilatura(options);
      const sum = (pick: (score: PageScore) => number) => scores.reduce((total, score) => total + pick(score), 0);
      const tp = sum((s) => s.tp);
      const fp = sum((s) => s.fp);
      const fn = sum((s) => s.fn);
      const precision = tp / (tp + fp);
      const recall = tp / (tp + fn);
      const timed = scores.filter((s) => !s.failed);
      lines.push(
        `trafilatura-eval (${scores.length} pages, split ${options.split}): precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}, F ${((2 * precision * recall) / (precision + recall)).toFixed(3)}, ` +
          `(TP ${tp}, FP ${fp}, FN ${fn}), failures ${scores.filter((s) => s.failed).length}, ${timing(
            timed.map((s) => s.ms),
            timed.map((s) => s.cpuMs),
          )}, tokens/page ${Math.round(sum((s) => s.tokens) / scores.length)}`,
      );
      if (options.out) writeFileSync(options.out, JSON.stringify(scores, null, 1));
      for (const score of scores.filter((s) => s.failed)) lines.push(`  failed ${score.file}: ${score.failed}`);
      const worst = [...scores].sort((a, b) => b.fn + b.fp - (a.fn + a.fp)).slice(0, options.worst);
      for (const score of worst)
        lines.push(`  ${score.file}: missing ${JSON.stringify(score.missing)} leaked ${JSON.stringify(score.leaked)}`);
    }
  }
  if (options.only !== 'trafilatura') {
    {
      const pages = scoreReadability(options.repeat);
      const below = pages.filter((page) => page.recall < 0.95);
      const timed = pages.filter((page) => !page.failed);
      lines.push(
        `web-pages (${pages.length} pages): pages >= 95% of expected words ${pages.length - below.length}/${pages.length}, lowest ${Math.min(...pages.map((page) => page.recall)).toFixed(3)}, ` +
          `failures ${pages.filter((page) => page.failed).length}, ${timing(
            timed.map((page) => page.ms),
            timed.map((page) => page.cpuMs),
          )}, tokens/page ${Math.round(pages.reduce((total, page) => total + page.tokens, 0) / pages.length)}`,
      );
      for (const page of below)
        lines.push(
          `  below 95%: ${page.name} ${page.recall.toFixed(3)}${page.failed ? ` (failed: ${page.failed})` : ''}`,
        );
    }
  }
  return lines.join('\n');
}

function parseArguments(argv: string[]): ExtractBenchOptions {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return z
    .object({
      limit: z.coerce.number().int().positive().default(Number.MAX_SAFE_INTEGER),
      split: z.enum(['all', 'even', 'odd']).default('all'),
      worst: z.coerce.number().int().nonnegative().default(0),
      only: z.enum(['both', 'trafilatura', 'readability']).default('both'),
      corpus: z.string().default(DEFAULT_CORPUS),
      out: z.string().optional(),
      repeat: z.coerce.number().int().positive().default(1),
    })
    .parse({
      corpus: value('corpus'),
      limit: value('limit'),
      split: value('split'),
      worst: value('worst'),
      only: value('only'),
      out: value('out'),
      repeat: value('repeat'),
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${runExtractBench(parseArguments(process.argv.slice(2)))}\n`);
}
