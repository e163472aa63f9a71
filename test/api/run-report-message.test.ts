import { describe, expect, it } from 'vitest';
import { noReport } from '../../src/server/routes/runs.js';
import type { Run } from '../../src/types/run-record.js';

const run = (status: Run['status'], team: string[]) => ({ id: 'r1', status, team }) as Run;

describe('the 409 of a run without a report', () => {
  it('says "yet" only while the run can still write one', () => {
    expect(noReport(run('running', ['extractor', 'researcher']))).toBe('run r1 has no report yet (it is running)');
    expect(noReport(run('completed', ['extractor', 'wiki']))).toBe(
      'run r1 has no report: its team (extractor, wiki) has no researcher, the role that writes it',
    );
    expect(noReport(run('cancelled', ['researcher']))).toContain('it is cancelled, and ended before writing one');
  });
});
