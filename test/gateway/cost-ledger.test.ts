import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
    expect(ledger.flush()).toBe(true);
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

  it("writes the API's calls of one turn with one write when the turn ends, counted at once", async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const file = path.join(temp.dir, 'ledger.jsonl');
    const writes: number[] = [];
    const { log } = AppendLog.open<unknown>(file, undefined, {
      write: (fd, data) => {
        writes.push(data.length);
        return writeSync(fd, data);
      },
    });
    cleanups.push(() => log.close());
    const ledger = new CostLedger(log);
    for (const id of ['a', 'b', 'c']) ledger.record(entry({ id, client: 'api' }));
    expect(ledger.totals().total.calls).toBe(3);
    expect(ledger.unwritten).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('');

    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(ledger.unwritten).toBe(0);
    expect(AppendLog.read<{ id: string }>(file).map((line) => line.id)).toEqual(['a', 'b', 'c']);
  });

  it("writes a run's call at once, before the run persists the answer as a step", () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const file = path.join(temp.dir, 'ledger.jsonl');
    const { log } = AppendLog.open<unknown>(file);
    cleanups.push(() => log.close());
    const ledger = new CostLedger(log);
    ledger.record(entry({ id: 'run-call', runId: 'r1' }));
    expect(ledger.unwritten).toBe(0);
    expect(AppendLog.read<{ id: string }>(file).map((line) => line.id)).toEqual(['run-call']);
  });

  it('loses no call when the process exits in the turn that recorded it', () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const file = path.join(temp.dir, 'ledger.jsonl');
    const module = (name: string) => JSON.stringify(fileURLToPath(new URL(`../../dist/src/${name}`, import.meta.url)));
    const script = `import { CostLedger } from ${module('gateway/cost-ledger.js')};
      import { AppendLog } from ${module('store/append-log.js')};
      const ledger = new CostLedger(AppendLog.open(${JSON.stringify(file)}).log);
      ledger.record(${JSON.stringify(entry({ id: 'paid-just-before-exit' }))});
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(3);
    expect(AppendLog.read<{ id: string }>(file).map((line) => line.id)).toEqual(['paid-just-before-exit']);
  });
});
