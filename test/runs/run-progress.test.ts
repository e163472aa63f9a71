import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProgress, progressLine } from '../../src/runs/run-progress.js';
import type { RunEvent } from '../../src/types/run-events.js';

const at = '2026-01-01T00:00:00.000Z';
let seq = 0;
const event = (fields: Pick<RunEvent, 'type' | 'data'>) => ({ seq: ++seq, runId: 'r', at, ...fields }) as RunEvent;

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
});
