import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyUsage, type Run } from '../src/runs/run-record.js';
import { AppendLog } from '../src/store/append-log.js';
import { Store, STORE_SCHEMA_VERSION } from '../src/store/store.js';
import { makeTempDir } from './helpers/temp-dir.js';

const temps: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of temps.splice(0)) cleanup();
});
function tempDir(): string {
  const temp = makeTempDir();
  temps.push(temp.cleanup);
  return temp.dir;
}

function makeRun(id: string, topic = `topic ${id}`): Run {
  return {
    id,
    topic,
    language: 'en',
    status: 'queued',
    createdAt: new Date().toISOString(),
    team: [],
    keywords: [],
    wiki: [],
    sources: [],
    report: '',
    usage: emptyUsage(),
    errors: [],
  };
}

describe('the store', () => {
  it('keeps runs across a reopen, listed newest first', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    await store.runs.save(makeRun('a'));
    await store.runs.save(makeRun('b'));
    await store.runs.save({ ...makeRun('a'), status: 'completed', report: '# Report' });
    store.close();

    const reopened = await Store.open(dataDir);
    expect(reopened.runs.list().map((run) => [run.id, run.status])).toEqual([
      ['b', 'queued'],
      ['a', 'completed'],
    ]);
    expect((await reopened.runs.get('a')).report).toBe('# Report');
    reopened.close();
  });

  it('loses no run when many are saved concurrently', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    await Promise.all(Array.from({ length: 50 }, (_, index) => store.runs.save(makeRun(`run${index}`))));
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.runs.save({ ...makeRun(`run${index}`), status: 'running' })),
    );
    store.close();
    const reopened = await Store.open(dataDir);
    const listed = reopened.runs.list();
    expect(listed).toHaveLength(50);
    expect(listed.every((run) => run.status === 'running')).toBe(true);
    reopened.close();
  });

  it('writes one file per run and leaves other runs untouched by a save', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    await store.runs.save(makeRun('first'));
    const firstFile = path.join(dataDir, 'store', 'runs', 'first', 'run.json');
    const before = readFileSync(firstFile, 'utf8');
    await store.runs.save(makeRun('second'));
    expect(readFileSync(firstFile, 'utf8')).toBe(before);
    store.close();
  });

  it('refuses a run id that would leave the runs folder', async () => {
    const store = await Store.open(tempDir());
    await expect(store.runs.get('../../etc')).rejects.toThrow(/no run with id/);
    store.close();
  });

  it('refuses a store written by a newer agentd', async () => {
    const dataDir = tempDir();
    (await Store.open(dataDir)).close();
    writeFileSync(
      path.join(dataDir, 'store', 'meta.json'),
      JSON.stringify({ schemaVersion: STORE_SCHEMA_VERSION + 1, createdAt: 'x' }),
    );
    await expect(Store.open(dataDir)).rejects.toThrow(/schema version 2.*upgrade agentd/);
  });
});

describe('the append-only log', () => {
  it('reads back every entry in order after a reopen', () => {
    const file = path.join(tempDir(), 'events.jsonl');
    const { log } = AppendLog.open<{ n: number }>(file);
    for (let n = 1; n <= 100; n += 1) expect(log.append({ n })).toBe(n);
    log.close();
    const { log: reopened, entries } = AppendLog.open<{ n: number }>(file);
    expect(entries.map((entry) => entry.n)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(reopened.size).toBe(100);
    reopened.close();
  });

  it('drops a torn last line left by a crash mid-append, and appends cleanly after it', () => {
    const file = path.join(tempDir(), 'events.jsonl');
    const { log } = AppendLog.open<{ n: number }>(file);
    log.append({ n: 1 });
    log.append({ n: 2 });
    log.close();
    appendFileSync(file, '{"n": 3, "partial');

    const { log: reopened, entries } = AppendLog.open<{ n: number }>(file);
    expect(entries).toEqual([{ n: 1 }, { n: 2 }]);
    reopened.append({ n: 3 });
    reopened.close();
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });

  it('reports a corrupt line in the middle and skips it, keeping the lines around it', () => {
    const file = path.join(tempDir(), 'events.jsonl');
    writeFileSync(file, '{"n":1}\nnot json\n{"n":3}\n');
    const opened = AppendLog.open(file);
    expect(opened.entries).toEqual([{ n: 1 }, { n: 3 }]);
    expect(opened.corrupt.map((line) => line.byte)).toEqual([8]);
  });

  it('keeps the previous run record when a write is torn before its rename', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    await store.runs.save({ ...makeRun('r'), report: 'complete report' });
    store.close();
    // steno writes to .run.json.tmp then renames: a crash before the rename leaves only a partial temp file.
    writeFileSync(path.join(dataDir, 'store', 'runs', 'r', '.run.json.tmp'), '{"id":"r","topic":');
    const reopened = await Store.open(dataDir);
    expect((await reopened.runs.get('r')).report).toBe('complete report');
    reopened.close();
  });
});
