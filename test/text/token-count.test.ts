import { beforeAll, describe, expect, it } from 'vitest';
import { estimatePromptTokens, openAIPromptTokens } from '../../src/gateway/token-estimate.js';
import { focusedContext } from '../../src/text/focused-context.js';
import { countTokens, countTokensSliced, TokenCounter, tokensWithin } from '../../src/text/token-count.js';
import { largePage } from '../helpers/large-page.js';

/**
 * Runs `work` while a chain of `setImmediate` callbacks measures the event loop: how many turns it took
 * meanwhile, and the longest gap between two of them (a synchronous count of the whole text is one gap: no
 * turn at all).
 */
async function loopTurnsDuring(work: () => Promise<unknown>): Promise<{ turns: number; longestGapMs: number }> {
  let turns = 0;
  let longestGapMs = 0;
  let last = performance.now();
  let running = true;
  const turn = () => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    turns += 1;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  // The first turn happens before the work starts: it is not the work's.
  await new Promise((resolve) => setImmediate(resolve));
  turns = 0;
  longestGapMs = 0;
  last = performance.now();
  await work();
  longestGapMs = Math.max(longestGapMs, performance.now() - last);
  running = false;
  return { turns, longestGapMs };
}

describe('token counts of large texts', () => {
  let page: string;
  let exact: number;
  let wholeCountMs: number;

  beforeAll(() => {
    page = largePage(1_000_000);
    countTokens('load the tables');
    const started = performance.now();
    exact = countTokens(page);
    wholeCountMs = performance.now() - started;
  });

  it('counts a 1 MB page in slices to exactly the count made in one go, letting the event loop turn between them', async () => {
    let sliced = 0;
    const loop = await loopTurnsDuring(async () => {
      sliced = await countTokensSliced(page);
    });
    expect(sliced).toBe(exact);
    expect(loop.turns).toBeGreaterThanOrEqual(3);
    // Slices of 10 ms: even on a loaded machine, far from the one gap of a count in one go.
    expect(loop.longestGapMs, `the count in one go took ${wholeCountMs.toFixed(0)} ms`).toBeLessThan(
      Math.max(wholeCountMs / 2, 100),
    );
  });

  it('counts many passages with one counter, exactly, special-token text as plain text', async () => {
    const counter = new TokenCounter();
    const passages = ['Rate limits <|endoftext|> apply.', '人工智能是计算机科学的一个分支。', page.slice(0, 20_000)];
    const counts = [];
    for (const passage of passages) counts.push(await counter.count(passage));
    expect(counts).toEqual(passages.map(countTokens));
  });

  it('checks a page against a budget without counting past the budget', () => {
    const short = page.slice(0, 2_000);
    expect(tokensWithin(short, 10_000)).toBe(countTokens(short));
    expect(tokensWithin(page, 2_500)).toBe(false);
    const started = performance.now();
    tokensWithin(page, 2_500);
    // Costs the budget's tokens, about 1% of the page: well under half of counting it whole.
    expect(performance.now() - started).toBeLessThan(Math.max(wholeCountMs / 2, 20));
  });

  it('takes the focused context of a 1 MB page within its budget while the event loop keeps turning', async () => {
    let focused = '';
    const loop = await loopTurnsDuring(async () => {
      focused = await focusedContext(page, 'rate limits of the providers', { budgetTokens: 2_500 });
    });
    expect(countTokens(focused)).toBeLessThanOrEqual(2_500);
    expect(countTokens(focused)).toBeGreaterThan(2_000);
    expect(loop.turns).toBeGreaterThanOrEqual(3);
  });

  it('estimates a prompt over 64 KiB from samples, within 5% of the exact count, and counts a smaller one exactly', () => {
    const estimate = openAIPromptTokens(page);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
    const small = page.slice(0, 60_000);
    expect(openAIPromptTokens(small)).toBe(countTokens(small));
    expect(estimatePromptTokens([{ role: 'user', content: small }], true)).toBe(countTokens(small) + 4 + 3);
  });
});
