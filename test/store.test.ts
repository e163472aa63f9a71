import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterRunStore } from '../src/cluster/cluster-run-store.js';
import { RunFence } from '../src/cluster/run-fence.js';
import { RedisConnection } from '../src/cluster/redis-connection.js';
import { NotFoundError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { EventBus } from '../src/runs/event-bus.js';
import { emptyUsage, summarize, type Run } from '../src/types/run-record.js';
import type { RunStore } from '../src/store/run-store.js';
import { AppendLog } from '../src/store/append-log.js';
import type { RunStorage } from '../src/store/run-storage.js';
import { Store, STORE_SCHEMA_VERSION } from '../src/store/store.js';
import { redisMissingMessage, redisServerPath, startRedis, type TestRedis } from './helpers/redis-server.js';
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

/**
 * The contract every run storage keeps, run against the data dir's RunStore and the cluster's Redis store.
 * "Reopen" is a second instance over the same place: a restarted daemon, or another member of the cluster.
 */
interface StorageUnderTest {
  /** Opens (or reopens) an instance over the same place. */
  open(): Promise<RunStorage>;
  close(storage: RunStorage): Promise<void>;
}

const kinds: Array<[string, () => Promise<StorageUnderTest>]> = [
  [
    'the local store (data dir)',
    async () => {
      const dataDir = tempDir();
      const opened = new Map<RunStorage, Store>();
      return {
        open: async () => {
          const store = await Store.open(dataDir);
          opened.set(store.runs, store);
          return store.runs;
        },
        close: async (storage) => opened.get(storage)?.close(),
      };
    },
  ],
];
if (redisServerPath) {
  kinds.push([
    'the cluster store (Redis)',
    async () => {
      const prefix = `contract-${Math.random().toString(36).slice(2)}`;
      const connections = new Map<RunStorage, RedisConnection>();
      return {
        open: async () => {
          const connection = await RedisConnection.open({ url: (redis as TestRedis).url, logger: silentLogger() });
          const storage = await ClusterRunStore.open(
            connection,
            prefix,
            silentLogger(),
            new RunFence('contract-test', prefix),
          );
          connections.set(storage, connection);
          return storage;
        },
        close: async (storage) => {
          await storage.close();
          await connections.get(storage)?.close();
        },
      };
    },
  ]);
} else console.warn(redisMissingMessage);

let redis: TestRedis | undefined;
beforeAll(async () => {
  if (redisServerPath) redis = await startRedis();
});
afterAll(async () => redis?.stop());

/** Waits until `check` passes (another instance hears a change a moment after it is made). */
async function eventually(check: () => void | Promise<void>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Emits through a bus and waits until the event is stored (the cluster stores it a moment later). */
const STARTED = { resumed: false, stepsStored: 0, team: ['extractor'] };
async function emitStored(
  bus: EventBus,
  storage: RunStorage,
  runId: string,
  type: 'run-queued' | 'run-started' | 'run-failed',
): Promise<void> {
  const before = (await storage.readEvents(runId)).length;
  if (type === 'run-started') bus.emit(runId, type, STARTED);
  else if (type === 'run-failed') bus.emit(runId, type, { code: 'AGENTD_ERR_X', message: 'broke' });
  else bus.emit(runId, type, {});
  await eventually(async () => expect((await storage.readEvents(runId)).length).toBe(before + 1));
}

describe.each(kinds)('%s', (_name, make) => {
  it('keeps runs across a reopen, listed newest first', async () => {
    const place = await make();
    const storage = await place.open();
    await storage.save({ ...makeRun('a'), createdAt: '2026-01-01T00:00:00.000Z' });
    await storage.save({ ...makeRun('b'), createdAt: '2026-01-01T00:00:01.000Z' });
    await storage.save({
      ...makeRun('a'),
      createdAt: '2026-01-01T00:00:00.000Z',
      status: 'completed',
      report: '# Report',
    });
    await place.close(storage);

    const reopened = await place.open();
    expect((await reopened.list({ limit: 10 })).runs.map((run) => [run.id, run.status])).toEqual([
      ['b', 'queued'],
      ['a', 'completed'],
    ]);
    expect((await reopened.get('a')).report).toBe('# Report');
    expect(await reopened.exists('a')).toBe(true);
    expect(await reopened.exists('nope')).toBe(false);
    await place.close(reopened);
  });

  it('loses no run when many are saved concurrently', async () => {
    const place = await make();
    const storage = await place.open();
    await Promise.all(Array.from({ length: 50 }, (_, index) => storage.save(makeRun(`run${index}`))));
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => storage.save({ ...makeRun(`run${index}`), status: 'running' })),
    );
    await place.close(storage);
    const reopened = await place.open();
    const { runs: listed } = await reopened.list({ limit: 100 });
    expect(listed).toHaveLength(50);
    expect(listed.every((run) => run.status === 'running')).toBe(true);
    await place.close(reopened);
  });

  it('refuses a run id that would leave the runs folder, and one that does not exist', async () => {
    const place = await make();
    const storage = await place.open();
    await expect(storage.get('../../etc')).rejects.toThrow(/no run with id/);
    await expect(storage.get('missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.get('r:events')).rejects.toBeInstanceOf(NotFoundError);
    expect(await storage.exists('r:seq')).toBe(false);
    await place.close(storage);
  });

  it('numbers events from 1 per run and replays them in order after a reopen, where numbering goes on', async () => {
    const place = await make();
    const storage = await place.open();
    await storage.save(makeRun('r'));
    const bus = new EventBus(storage, silentLogger());
    for (const type of ['run-queued', 'run-started', 'run-failed'] as const) await emitStored(bus, storage, 'r', type);
    bus.close();
    await place.close(storage);

    const reopened = await place.open();
    const again = new EventBus(reopened, silentLogger());
    await emitStored(again, reopened, 'r', 'run-queued');
    expect((await again.replay('r')).map((event) => [event.seq, event.type])).toEqual([
      [1, 'run-queued'],
      [2, 'run-started'],
      [3, 'run-failed'],
      [4, 'run-queued'],
    ]);
    expect((await again.replay('r', 2)).map((event) => event.seq)).toEqual([3, 4]);
    again.close();
    await place.close(reopened);
  });

  it("hands a run's events to its listeners and to every-run listeners, once each, in order", async () => {
    const place = await make();
    const storage = await place.open();
    const bus = new EventBus(storage, silentLogger());
    const seen: string[] = [];
    const unsubscribe = bus.subscribe((event) => seen.push(`run:${event.seq}`), 'r');
    bus.subscribe((event) => seen.push(`all:${event.seq}`));
    bus.emit('r', 'run-queued', {});
    bus.emit('r', 'run-started', STARTED);
    await eventually(() => expect(seen).toEqual(['run:1', 'all:1', 'run:2', 'all:2']));
    unsubscribe();
    bus.close();
    await place.close(storage);
  });

  it('keeps finished steps, in order, for the next execution to replay', async () => {
    const place = await make();
    const storage = await place.open();
    await storage.save(makeRun('s'));
    const first = await storage.steps('s');
    expect(first.entries).toEqual([]);
    await first.log.append({ key: 'keywords', value: ['a', 'b'], at: 'x' });
    await first.log.append({ key: 'summary', value: { text: 'done', cost: 0.000123456789012345 }, at: 'y' });
    await place.close(storage);
    const reopened = await place.open();
    expect((await reopened.steps('s')).entries).toEqual([
      { key: 'keywords', value: ['a', 'b'], at: 'x' },
      { key: 'summary', value: { text: 'done', cost: 0.000123456789012345 }, at: 'y' },
    ]);
    await place.close(reopened);
  });

  it('lists a page at a time, newest first, each page naming where the next starts', async () => {
    const place = await make();
    const storage = await place.open();
    // Ids are time-ordered, as the daemon makes them.
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) await storage.save(makeRun(id));
    const first = await storage.list({ limit: 2 });
    expect(first).toEqual({
      runs: [expect.objectContaining({ id: 'r5' }), expect.objectContaining({ id: 'r4' })],
      next: 'r4',
    });
    const second = await storage.list({ limit: 2, before: first.next });
    expect(second.runs.map((run) => run.id)).toEqual(['r3', 'r2']);
    const last = await storage.list({ limit: 2, before: second.next });
    expect(last).toEqual({ runs: [expect.objectContaining({ id: 'r1', topic: 'topic r1', status: 'queued' })] });
    expect((await storage.list({ limit: 5 })).next).toBeUndefined();
    await place.close(storage);
  });

  it('finds the queued and running runs, oldest first, for a restart to resume', async () => {
    const place = await make();
    const storage = await place.open();
    await storage.save({ ...makeRun('b'), status: 'running', createdAt: '2026-01-01T00:00:01.000Z' });
    await storage.save({ ...makeRun('a'), status: 'queued', createdAt: '2026-01-01T00:00:02.000Z' });
    await storage.save({ ...makeRun('c'), status: 'completed', createdAt: '2026-01-01T00:00:00.000Z' });
    await place.close(storage);
    const reopened = await place.open();
    expect((await reopened.unfinished()).map((run) => [run.id, run.status])).toEqual([
      ['b', 'running'],
      ['a', 'queued'],
    ]);
    await place.close(reopened);
  });

  it('forgets a discarded run entirely', async () => {
    const place = await make();
    const storage = await place.open();
    await storage.save(makeRun('gone'));
    await storage.discard('gone');
    expect(await storage.exists('gone')).toBe(false);
    expect(await storage.list({ limit: 10 })).toEqual({ runs: [] });
    await expect(storage.get('gone')).rejects.toBeInstanceOf(NotFoundError);
    await place.close(storage);
  });
});

describe('the local store', () => {
  it("lists runs from their folders, holding none of them open, and reads a store's old one-file index once", async () => {
    const dataDir = tempDir();
    const storeDir = path.join(dataDir, 'store');
    const older = { ...makeRun('old1'), status: 'completed' as const };
    const newer = { ...makeRun('old2'), status: 'failed' as const };
    const stopped = { ...makeRun('old0'), status: 'running' as const };
    // The layout of schema version 1: records in their folders, every summary in runs-index.json.
    for (const run of [stopped, older, newer]) {
      mkdirSync(path.join(storeDir, 'runs', run.id), { recursive: true });
      writeFileSync(path.join(storeDir, 'runs', run.id, 'run.json'), JSON.stringify(run));
    }
    writeFileSync(
      path.join(storeDir, 'runs-index.json'),
      JSON.stringify({ runs: [older, newer].map((run) => ({ ...summarize(run), topic: `indexed ${run.id}` })) }),
      // `old0` is missing from the index: its summary comes from its record.
    );
    writeFileSync(path.join(storeDir, 'meta.json'), JSON.stringify({ schemaVersion: 1, createdAt: 'x' }));
    const store = await Store.open(dataDir);
    const runs = store.runs as RunStore;
    expect((await runs.list({ limit: 10 })).runs.map((run) => [run.id, run.status, run.topic])).toEqual([
      ['old2', 'failed', 'indexed old2'],
      ['old1', 'completed', 'indexed old1'],
      ['old0', 'running', 'topic old0'],
    ]);
    expect(runs.openRecords).toBe(0);
    expect((await runs.unfinished()).map((run) => run.id)).toEqual(['old0']);
    expect(existsSync(path.join(storeDir, 'runs-index.json'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(storeDir, 'meta.json'), 'utf8')).schemaVersion).toBe(STORE_SCHEMA_VERSION);
    // A run whose summary file is missing is listed from its record.
    rmSync(path.join(storeDir, 'runs', 'old1', 'summary.json'));
    expect((await runs.list({ limit: 1, before: 'old2' })).runs[0]).toMatchObject({ id: 'old1', topic: 'topic old1' });
    await store.close();
  });

  it('finds what to resume without reading every run, and forgets a marker a crash left behind', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    await store.runs.save({ ...makeRun('going'), status: 'running' });
    await store.runs.save({ ...makeRun('done'), status: 'running' });
    await store.runs.save({ ...makeRun('done'), status: 'completed' });
    const markers = path.join(dataDir, 'store', 'unfinished');
    expect(readdirSync(markers)).toEqual(['going']);
    // A crash after the record said completed, before its marker was removed.
    writeFileSync(path.join(markers, 'done'), '');
    expect((await store.runs.unfinished()).map((run) => run.id)).toEqual(['going']);
    expect(readdirSync(markers)).toEqual(['going']);
    await store.close();
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
    await expect(Store.open(dataDir)).rejects.toThrow(
      new RegExp(`schema version ${STORE_SCHEMA_VERSION + 1}.*upgrade agentd`),
    );
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

describe.skipIf(!redisServerPath)('the cluster store', () => {
  it('pages the runs a cluster stored before its list was paged (summaries without their place in the order)', async () => {
    const prefix = `paged-${Math.random().toString(36).slice(2)}`;
    const connection = await RedisConnection.open({ url: (redis as TestRedis).url, logger: silentLogger() });
    const summaries = ['r1', 'r2', 'r3'].map((id) => summarize(makeRun(id)));
    await connection.client.hset(
      `${prefix}:runs`,
      Object.fromEntries(summaries.map((summary) => [summary.id, JSON.stringify(summary)])),
    );
    const storage = await ClusterRunStore.open(connection, prefix, silentLogger(), new RunFence('paging-test', prefix));
    expect(await storage.list({ limit: 2 })).toEqual({ runs: [summaries[2], summaries[1]], next: 'r2' });
    expect((await storage.list({ limit: 2, before: 'r2' })).runs).toEqual([summaries[0]]);
    await storage.close();
    await connection.close();
  });
});
