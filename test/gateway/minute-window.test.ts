import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MinuteWindow } from '../../src/gateway/minute-window.js';

const call = { tokens: 10, waitedMs: 5, rateLimited: 1 };

describe('a sliding minute of calls', () => {
  it('adds up the calls of the last minute, to the second', () => {
    const window = new MinuteWindow();
    window.add(1_000, call);
    window.add(1_999, call);
    window.add(30_500, { tokens: 7, waitedMs: 0, rateLimited: 0 });
    expect(window.totals(31_000)).toEqual({ requests: 3, tokens: 27, waitedMs: 10, rateLimited: 2 });
    // The first second's calls count until the same second of the next minute begins.
    expect(window.totals(60_999).requests).toBe(3);
    expect(window.totals(61_000)).toEqual({ requests: 1, tokens: 7, waitedMs: 0, rateLimited: 0 });
    expect(window.totals(91_000)).toEqual({ requests: 0, tokens: 0, waitedMs: 0, rateLimited: 0 });
  });

  it('reuses a second from a minute ago without counting its old calls', () => {
    const window = new MinuteWindow();
    window.add(5_000, call);
    window.add(65_200, call);
    expect(window.totals(65_500)).toEqual({ requests: 1, tokens: 10, waitedMs: 5, rateLimited: 1 });
  });

  it('keeps no object per call: a minute at 3,000 calls a second costs what one call does', () => {
    const window = new MinuteWindow();
    const before = retainedHeap();
    for (let at = 0; at < 60_000; at += 1 / 3) window.add(at, call);
    expect(window.totals(59_999).requests).toBe(180_000);
    // 180,000 kept marks would take megabytes; the window stays at its 60 buckets.
    expect(retainedHeap() - before).toBeLessThan(2_000_000);
  });
});

/**
 * The heap still in use after a full collection: what is kept, not the garbage the loop (or another test in this
 * worker) left behind, which made the bare `heapUsed` difference pass or fail with the collector's timing.
 */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}
