import { readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreFullError } from '../../src/errors.js';
import { recordCall } from '../../src/gateway/call-record.js';
import { CostLedger } from '../../src/gateway/cost-ledger.js';
import { RunSteps } from '../../src/runs/run-steps.js';
import { UnsavedSteps } from '../../src/runs/unsaved-steps.js';
import { silentLogger } from '../../src/logger.js';
import { RunStore } from '../../src/store/run-store.js';
import { AppendLog } from '../../src/store/append-log.js';
import type { StepLog } from '../../src/store/run-storage.js';
import type { StepEntry } from '../../src/types/run-step.js';
import { ledgerEntry } from '../helpers/ledger-entry.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A step log on a disk that is full while `full.now` is true. */
function stepLog(full: { now: boolean }): StepLog & { written: StepEntry[] } {
  const written: StepEntry[] = [];
  return {
    written,
    append: (entry: StepEntry) => {
      if (full.now) throw new StoreFullError('cannot append to steps.jsonl: no space left');
      written.push(entry);
      return written.length;
    },
  };
}

describe('an answer paid for while the disk is full', () => {
  it('is kept when its step cannot be written, and the next execution writes and reuses it instead of asking again', async () => {
    const full = { now: true };
    const log = stepLog(full);
    const unsaved = new Map<string, unknown>();
    let asked = 0;
    const ask = async () => {
      asked += 1;
      return { text: `answer ${asked}` };
    };
    const first = new RunSteps(log, [], unsaved);
    await expect(first.run('llm:Report:abc', ask)).rejects.toThrow(StoreFullError);
    // The disk is still full when the run is resumed too early: the answer stays kept, still not asked again.
    await expect(new RunSteps(log, [], unsaved).run('llm:Report:abc', ask)).rejects.toThrow(StoreFullError);

    full.now = false;
    const resumed = new RunSteps(log, [], unsaved);
    expect(await resumed.run('llm:Report:abc', ask)).toEqual({ text: 'answer 1' });
    expect(asked).toBe(1);
    expect(resumed.replayed).toBe(1);
    expect(log.written).toEqual([{ key: 'llm:Report:abc', value: { text: 'answer 1' }, at: expect.any(String) }]);
    expect(unsaved.size).toBe(0);
  });

  it('is counted in the ledger though its line cannot be written, and the line is written before the next one', () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const file = path.join(temp.dir, 'ledger.jsonl');
    let full = true;
    const { log } = AppendLog.open<unknown>(file, undefined, {
      write: (fd, data) => {
        if (full) throw noSpace();
        return writeSync(fd, data);
      },
    });
    cleanups.push(() => log.close());
    const ledger = new CostLedger(log);
    // No throw: the call was paid, and its caller must get its answer.
    ledger.record(ledgerEntry({ id: 'paid-while-full', runId: 'r1' }));
    expect(ledger.runUsage('r1').calls).toBe(1);
    expect(ledger.unwritten).toBe(1);
    expect(ledger.flush()).toBe(false);

    full = false;
    ledger.record(ledgerEntry({ id: 'after', runId: 'r1' }));
    expect(ledger.unwritten).toBe(0);
    const ids = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(['paid-while-full', 'after']);
  });

  it('is written by a stop that finds room on the disk again, for the next start to reuse', async () => {
    const temp = makeTempDir();
    cleanups.push(temp.cleanup);
    const runs = await RunStore.open(temp.dir);
    const kept = new UnsavedSteps();
    kept.of('paused-run').set('llm:Report:abc', { text: 'paid while full' });
    await kept.writeAll(runs, silentLogger());
    expect((await runs.steps('paused-run')).entries).toEqual([
      { key: 'llm:Report:abc', value: { text: 'paid while full' }, at: expect.any(String) },
    ]);
    expect(kept.of('paused-run').size).toBe(0);
    runs.release('paused-run');
  });

  it('reaches its caller even when the llm-call event cannot be written', () => {
    const ledger = new CostLedger(undefined);
    const emit = () => {
      throw new StoreFullError('cannot append to events.jsonl: no space left');
    };
    const { id: _id, at: _at, ...call } = ledgerEntry({ runId: 'r1' });
    expect(() =>
      recordCall(ledger, { runId: 'r1', action: 'Report', emit }, { ...call, at: new Date() }),
    ).not.toThrow();
    expect(ledger.runUsage('r1').calls).toBe(1);
  });
});
