import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CostLedger } from '../../src/gateway/cost-ledger.js';
import { AppendLog } from '../../src/store/append-log.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { ledgerEntry } from '../helpers/ledger-entry.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const entry = ledgerEntry;

describe('the cost ledger', () => {
  it('totals costs without binary noise: calls of $0.1 and $0.2 cost $0.3, not $0.30000000000000004', () => {
    const ledger = new CostLedger(undefined);
    ledger.record(entry({ id: 'a', runId: 'r1', costUsd: 0.1 }));
    ledger.record(entry({ id: 'b', runId: 'r1', costUsd: 0.2 }));
    expect(ledger.totals().total.costUsd).toBe(0.3);
    expect(ledger.runUsage('r1').costUsd).toBe(0.3);
  });

  it('persists every call and rebuilds the same totals after a restart', () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const file = path.join(temp.dir, 'ledger.jsonl');
    const { log } = AppendLog.open<unknown>(file);
    const ledger = new CostLedger(log);
    ledger.record(entry({ id: 'a', runId: 'r1' }));
    ledger.record(
      entry({
        id: 'b',
        runId: 'r1',
        provider: 'claude',
        model: 'claude-haiku-4-5',
        promptTokens: 7,
        completionTokens: 3,
        costUsd: 0.5,
      }),
    );
    ledger.record(entry({ id: 'c', client: 'api', costUnknown: true, costUsd: 0 }));
    ledger.record(entry({ id: 'd', runId: 'r2', cached: true }));
    log.close();

    const reopened = AppendLog.open<unknown>(file);
    const restored = new CostLedger(reopened.log, reopened.entries);
    expect(restored.totals()).toEqual(ledger.totals());
    expect(restored.totals().total).toMatchObject({
      calls: 3,
      promptTokens: 207,
      completionTokens: 23,
      costUnknown: true,
    });
    expect(restored.totals().total.costUsd).toBeCloseTo(0.501, 12);
    expect(restored.runUsage('r1')).toMatchObject({ calls: 2, promptTokens: 107, completionTokens: 13 });
    expect(restored.runUsage('r1').costUsd).toBeCloseTo(0.501, 12);
    // A cached replay is in the history but is not spend.
    expect(restored.runUsage('r2')).toEqual({ calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(restored.totals().byModel['claude/claude-haiku-4-5']).toMatchObject({ calls: 1, costUsd: 0.5 });
    reopened.log.close();
  });
});
