import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CostLedger, type LedgerEntry } from '../src/gateway/cost-ledger.js';
import { emptyUsage, type Run } from '../src/types/run-record.js';
import { RunStore } from '../src/store/run-store.js';
import { Store } from '../src/store/store.js';
import { auth, buildTestApp } from './helpers/services.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { ledgerEntry } from './helpers/ledger-entry.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function entry(runId: string, promptTokens = 10): LedgerEntry {
  return ledgerEntry({ id: `${runId}-${promptTokens}`, runId, promptTokens, completionTokens: 1 });
}

function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    topic: `topic ${id}`,
    language: 'en',
    status: 'completed',
    createdAt: '2026-11-29T00:00:00Z',
    team: ['researcher'],
    keywords: [],
    wiki: [],
    sources: [],
    report: 'report',
    usage: emptyUsage(),
    errors: [],
    ...overrides,
  };
}

describe('memory that does not grow with the work ever done', () => {
  it('keeps per-run usage for the most recently charged runs only, and totals for all', () => {
    const ledger = new CostLedger(undefined, [entry('r1'), entry('r2'), entry('r3')], { maxRuns: 2 });
    expect(ledger.hasRun('r1')).toBe(false);
    expect(ledger.runUsage('r3')).toMatchObject({ calls: 1, promptTokens: 10 });
    // Charging r2 again makes r3 the least recent: r4 pushes r3 out, not r2.
    ledger.record(entry('r2', 20));
    ledger.record(entry('r4'));
    expect([ledger.hasRun('r2'), ledger.hasRun('r3'), ledger.hasRun('r4')]).toEqual([true, false, true]);
    expect(ledger.runUsage('r2')).toMatchObject({ calls: 2, promptTokens: 30 });
    expect(ledger.totals().total).toMatchObject({ calls: 5, promptTokens: 60 });
  });

  it('hands the ledger read at open over once, then no longer holds it', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const store = await Store.open(temp.dir);
    store.ledger.append(entry('r1'));
    store.close();
    const reopened = await Store.open(temp.dir);
    cleanups.push(() => reopened.close());
    expect(reopened.takeLedgerEntries()).toHaveLength(1);
    expect(reopened.takeLedgerEntries()).toHaveLength(0);
  });

  it('keeps at most maxOpenRecords run records in memory and reads older ones back from disk', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const runs = await RunStore.open(path.join(temp.dir, 'store'), { maxOpenRecords: 3 });
    for (let index = 0; index < 10; index++) await runs.save(run(`run-${index}`));
    expect(runs.openRecords).toBe(3);
    await expect(runs.get('run-0')).resolves.toMatchObject({ id: 'run-0', topic: 'topic run-0' });
    expect(runs.openRecords).toBe(3);
    expect((await runs.list({ limit: 100 })).runs).toHaveLength(10);
  });

  it('answers an old run with the usage of its record once the ledger has forgotten it', async () => {
    const { app, services, close } = await buildTestApp();
    cleanups.push(close);
    const usage = { calls: 2, promptTokens: 30, completionTokens: 4, costUsd: 0.25 };
    await services.store.runs.save(run('old-run', { usage }));
    const response = await app.inject({ url: '/v1/runs/old-run', headers: auth });
    expect(response.json()).toMatchObject({ id: 'old-run', usage });
  });
});
