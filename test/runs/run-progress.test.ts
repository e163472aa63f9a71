import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProgress, progressLine } from '../../src/runs/run-progress.js';
import type { RunEvent } from '../../src/types/run-events.js';

const at = '2026-01-01T00:00:00.000Z';
let seq = 0;
const event = (fields: Pick<RunEvent, 'type' | 'data'> & { at?: string }) =>
  ({ seq: ++seq, runId: 'r', at, ...fields }) as RunEvent;
const pageStart = () => event({ type: 'action-start', data: { role: 'researcher', action: 'WebBrowseAndSummarize' } });
const pageEnd = () =>
  event({ type: 'action-end', data: { role: 'researcher', action: 'WebBrowseAndSummarize', ms: 5, ok: true } });
const waitEnding = (time: string, ms: number) =>
  event({
    type: 'llm-wait',
    at: `2026-01-01T00:00:${time}Z`,
    data: { provider: 'p', model: 'p/m', ms, reason: 'requests' },
  });

describe('run progress from typed events', () => {
  it('counts pages, tokens, cost and limiter waits, and ends at the terminal stage', () => {
    const events: RunEvent[] = [
      event({ type: 'run-started', data: { resumed: false, stepsStored: 0, team: ['researcher'] } }),
      event({ type: 'action-start', data: { role: 'researcher', action: 'WebBrowseAndSummarize' } }),
      event({ type: 'action-start', data: { role: 'researcher', action: 'WebBrowseAndSummarize' } }),
      event({ type: 'action-end', data: { role: 'researcher', action: 'WebBrowseAndSummarize', ms: 5, ok: true } }),
      event({
        type: 'llm-call',
        data: {
          provider: 'p',
          model: 'p/m',
          promptTokens: 100,
          completionTokens: 20,
          tokens: 120,
          costUsd: 0.0012,
          cost: 0.0012,
          costUnknown: false,
          ms: 10,
          attempts: 1,
        },
      }),
      event({ type: 'llm-wait', data: { provider: 'p', model: 'p/m', ms: 1500, reason: 'tokens' } }),
    ];
    const progress = events.reduce(applyEvent, emptyProgress());
    expect(progressLine(progress)).toBe(
      'WebBrowseAndSummarize, pages 1/2, 120 tokens, $0.0012, waited 1.5s for limits (tokens)',
    );
    const done = applyEvent(progress, event({ type: 'run-cancelled', data: {} }));
    expect(done.stage).toBe('cancelled');
    expect(progress.stage).toBe('WebBrowseAndSummarize');
  });

  it('counts a page that failed as done, but not one the run cut off when it was cancelled', () => {
    const failed = event({
      type: 'action-end',
      data: { role: 'researcher', action: 'WebBrowseAndSummarize', ms: 5, ok: false, error: 'HTTP 404' },
    });
    const cutOff = event({
      type: 'action-end',
      data: {
        role: 'researcher',
        action: 'WebBrowseAndSummarize',
        ms: 5,
        ok: false,
        error: 'the call was cancelled',
        cancelled: true,
      },
    });
    const events = [pageStart(), pageStart(), pageStart(), pageEnd(), failed, cutOff];
    expect(progressLine(events.reduce(applyEvent, emptyProgress()))).toMatch(/pages 2\/3,/);
  });

  it('counts the pages of the current execution, so a run resumed after a crash ends with every page read', () => {
    const events: RunEvent[] = [
      event({ type: 'run-started', data: { resumed: false, stepsStored: 0, team: ['researcher'] } }),
      pageStart(),
      pageStart(),
      pageStart(),
      pageEnd(),
      // kill -9 here: two pages were being read. The resumed execution announces all three again.
      event({ type: 'run-queued', data: { position: 1, resumed: true } }),
      event({ type: 'run-started', data: { resumed: true, stepsStored: 5, team: ['researcher'] } }),
      pageStart(),
      pageStart(),
      pageStart(),
      pageEnd(),
      pageEnd(),
      pageEnd(),
      event({ type: 'run-completed', data: { usage: { calls: 4, promptTokens: 1, completionTokens: 1, costUsd: 0 } } }),
    ];
    const progress = events.reduce(applyEvent, emptyProgress());
    expect(progressLine(progress)).toBe('completed, pages 3/3, 0 tokens, $0.0000');
  });

  it('counts time waited for limits by the clock: calls waiting together count once', () => {
    const events: RunEvent[] = [
      // Four calls waited together from 00:00:00 to 00:00:10, each for 10 s.
      waitEnding('10.000', 10_000),
      waitEnding('10.000', 10_000),
      waitEnding('10.000', 10_000),
      waitEnding('10.000', 10_000),
      // Then one from 00:00:20 to 00:00:25, and one from 00:00:05 to 00:00:30 that covers the gap.
      waitEnding('25.000', 5_000),
      waitEnding('30.000', 25_000),
    ];
    const progress = events.reduce(applyEvent, emptyProgress());
    expect(progress.waitedMs).toBe(30_000);
    expect(progressLine(progress)).toBe('queued, 0 tokens, $0.0000, waited 30.0s for limits (requests)');
    expect(progressLine(events.slice(0, 4).reduce(applyEvent, emptyProgress()))).toContain('waited 10.0s');
  });
});
