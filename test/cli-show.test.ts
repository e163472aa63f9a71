import { describe, expect, it } from 'vitest';
import { describeRun } from '../src/cli/commands/runs.js';
import { emptyUsage, type Run } from '../src/types/run-record.js';

function finishedRun(wiki: Run['wiki']): Run {
  return {
    id: 'r1',
    topic: 'Arduino boards',
    language: 'en',
    status: 'completed',
    createdAt: '2026-12-06T21:00:00.000Z',
    team: ['extractor', 'wiki'],
    keywords: ['Arduino'],
    wiki,
    sources: [],
    report: '',
    usage: emptyUsage(),
    errors: [],
  };
}

describe('agentd show', () => {
  it('prints each wiki article with the summary the run wrote for it, under its title', () => {
    const shown = describeRun(
      finishedRun([
        {
          title: 'Arduino',
          url: 'https://en.wikipedia.org/wiki/Arduino',
          summary: 'Arduino is an open-source\nhardware and software company.',
        },
      ]),
    );
    expect(shown).toContain(
      '  wiki: Arduino <https://en.wikipedia.org/wiki/Arduino>\n    Arduino is an open-source hardware and software company.',
    );
  });

  it('bounds a summary far longer than the wiki action asks for', () => {
    const shown = describeRun(finishedRun([{ title: 'Long', url: 'https://w/Long', summary: 'word '.repeat(1000) }]));
    const summaryLine = shown.split('\n').find((line) => line.startsWith('    word'));
    expect(summaryLine?.length).toBeLessThanOrEqual(1004);
    expect(summaryLine).toMatch(/…$/);
  });
});
