/**
 * The longest event-loop block while the tokens of a 1 MB page are counted on the daemon's thread, per use:
 * the raw count (o200k, synchronous), the query-focused context a run takes of a page, the gateway's prompt
 * estimate for a 1 MB prompt sent to an OpenAI-type provider, and the exact count in slices. The
 * block is the maximum of `perf_hooks.monitorEventLoopDelay` (1 ms resolution) over each call.
 *
 * `npm run build && node dist/bench/token-count-bench.js [--runs 3]`
 */
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { estimatePromptTokens } from '../src/gateway/token-estimate.js';
import { focusedContext } from '../src/text/focused-context.js';
import * as tokenCount from '../src/text/token-count.js';
import { largePage } from '../test/helpers/large-page.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

/** Runs `work`, returning its wall time and the longest event-loop block seen meanwhile, in ms. */
async function measure(work: () => unknown): Promise<{ wallMs: number; blockMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // Let the monitor's first timer be armed before the work starts.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  // One more turn of the loop, so that a block at the very end is recorded.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  return { wallMs, blockMs: histogram.max / 1e6 };
}

const text = largePage(1_000_000);
// The tables load at the first count (a few hundred ms): not what is measured here.
tokenCount.countTokens('warm up');
const cases: Array<[string, () => unknown]> = [
  ['countTokens (synchronous, exact)', () => tokenCount.countTokens(text)],
  [
    'focusedContext (2,500-token budget)',
    () => focusedContext(text, 'rate limits of the providers', { budgetTokens: 2500 }),
  ],
  ['gateway prompt estimate (OpenAI-type)', () => estimatePromptTokens([{ role: 'user', content: text }], true)],
  ['countTokensSliced (exact, in slices)', () => tokenCount.countTokensSliced(text)],
];

console.log(
  `${new Date().toISOString()} load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}; page ${text.length} characters, ${tokenCount.countTokens(text)} tokens`,
);
for (const [name, work] of cases) {
  const results = [];
  for (let run = 0; run < runs; run += 1) results.push(await measure(work));
  const blocks = results.map((result) => result.blockMs.toFixed(0)).join(' / ');
  const walls = results.map((result) => result.wallMs.toFixed(0)).join(' / ');
  console.log(`${name.padEnd(42)} longest block ${blocks} ms; wall ${walls} ms`);
}
console.log(
  `the sliced count equals the synchronous one: ${(await tokenCount.countTokensSliced(text)) === tokenCount.countTokens(text)}`,
);
