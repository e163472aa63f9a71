import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { closeServices, createServices } from '../../src/daemon/services.js';
import { runDaemon } from '../../src/daemon/run-daemon.js';
import { ErrorCode, StoreFullError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { emptyUsage, type Run } from '../../src/types/run-record.js';
import { AppendLog } from '../../src/store/append-log.js';
import { Store } from '../../src/store/store.js';
import { TEST_TOKEN } from '../helpers/services.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A write that, while `disk.full`, writes half of what it is given and fails (write(2) on a disk filling up). */
function fillingDisk(disk: { full: boolean }): (fd: number, data: Buffer) => number {
  return (fd, data) => {
    if (!disk.full) return writeSync(fd, data);
    writeSync(fd, data.subarray(0, Math.floor(data.length / 2)));
    throw noSpace();
  };
}

describe('a full disk', () => {
  it('an append cut short by a full disk is rolled back to the last complete line, and works once space is back', () => {
    const file = path.join(tempDir(), 'log.jsonl');
    const disk = { full: false };
    const { log } = AppendLog.open<{ n: number }>(file, undefined, { write: fillingDisk(disk) });
    log.append({ n: 1 });
    disk.full = true;
    expect(() => log.append({ n: 2 })).toThrow(StoreFullError);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    disk.full = false;
    log.append({ n: 3 });
    log.close();
    expect(AppendLog.open<{ n: number }>(file).entries).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('entries appended together are all written or none: a full disk mid-way rolls all of them back', () => {
    const file = path.join(tempDir(), 'log.jsonl');
    const disk = { full: false };
    const { log } = AppendLog.open<{ n: number }>(file, undefined, { write: fillingDisk(disk) });
    expect(log.appendAll([{ n: 1 }, { n: 2 }])).toBe(2);
    disk.full = true;
    expect(() => log.appendAll([{ n: 3 }, { n: 4 }, { n: 5 }])).toThrow(StoreFullError);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(log.size).toBe(2);
    disk.full = false;
    expect(log.appendAll([{ n: 3 }, { n: 4 }, { n: 5 }])).toBe(5);
    log.close();
    expect(AppendLog.open<{ n: number }>(file).entries.map((entry) => entry.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a short write without an error is rolled back too', () => {
    const file = path.join(tempDir(), 'log.jsonl');
    let calls = 0;
    const write = (fd: number, data: Buffer) => {
      calls += 1;
      if (calls === 1) return writeSync(fd, data);
      return calls === 2 ? writeSync(fd, data.subarray(0, 3)) : 0;
    };
    const { log } = AppendLog.open(file, undefined, { write });
    log.append({ n: 1 });
    expect(() => log.append({ n: 2 })).toThrow(expect.objectContaining({ code: ErrorCode.storeFull }));
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
  });

  it('the log file failing does not end the process: logging degrades, said once on standard error', async () => {
    const directory = tempDir();
    const said: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string) => said.push(String(text)) > 0) as typeof process.stderr.write;
    try {
      // A log "file" that is a folder cannot be written, as a full disk cannot.
      const logger = createLogger({ level: 'info', file: directory });
      logger.info('first line');
      await sleep(20);
      logger.info('second line');
      await sleep(20);
    } finally {
      process.stderr.write = write;
    }
    expect(said.filter((text) => text.includes('logging is degraded'))).toHaveLength(1);
  });
});

describe('a corrupt store', () => {
  it('skips and reports a corrupt line in the middle of a log instead of refusing to open it', () => {
    const file = path.join(tempDir(), 'log.jsonl');
    writeFileSync(file, '{"n":1}\n{"n": oops\n{"n":3}\n');
    const opened = AppendLog.open<{ n: number }>(file);
    expect(opened.entries).toEqual([{ n: 1 }, { n: 3 }]);
    expect(opened.corrupt).toEqual([{ byte: 8, reason: expect.any(String) }]);
  });

  it('a daemon starts with a corrupt ledger line and a corrupt line in an unfinished run, which fails with the reason', async () => {
    const dataDir = tempDir();
    const store = await Store.open(dataDir);
    const run: Run = {
      id: 'damaged',
      topic: 'x',
      language: 'en',
      status: 'running',
      createdAt: new Date().toISOString(),
      team: ['extractor'],
      keywords: [],
      wiki: [],
      sources: [],
      report: '',
      usage: emptyUsage(),
      errors: [],
    };
    await store.runs.save(run);
    store.close();
    appendFileSync(path.join(dataDir, 'store', 'ledger.jsonl'), 'not json\n');
    mkdirSync(path.join(dataDir, 'store', 'runs', 'damaged'), { recursive: true });
    writeFileSync(
      path.join(dataDir, 'store', 'runs', 'damaged', 'steps.jsonl'),
      '{"key":"a","value":1,"at":"x"}\n{broken\n',
    );
    const config = parseConfig(
      {
        dataDir,
        server: { token: TEST_TOKEN },
        providers: { local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' } },
      },
      { env: {} },
    );
    const services = await createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
    cleanups.push(() => closeServices(services));
    await services.runs.start();
    await expect.poll(async () => (await services.runs.get('damaged')).status).toBe('failed');
    expect((await services.runs.get('damaged')).failure?.message).toMatch(
      /steps\.jsonl: corrupt line at byte \d+ skipped/,
    );
  });
});

describe('an unusable data dir', () => {
  it('says which path and why when the data dir cannot be created', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a-file'), '');
    const dataDir = path.join(dir, 'a-file', 'data');
    const config = parseConfig({ dataDir, server: { token: TEST_TOKEN, port: 0 } }, { env: {} });
    await expect(runDaemon(config, { logToStdout: true })).rejects.toThrow(
      `cannot create the data dir ${dataDir}: a part of the path is a file, not a folder (ENOTDIR)`,
    );
  });
});

describe('a read-only data dir', () => {
  // Mounting needs root; where it is refused, the ENOTDIR case above covers the message's shape.
  it('says the file system is read-only, naming the path', async (context) => {
    const dir = tempDir();
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir]);
    if (mount.status !== 0) return context.skip();
    cleanups.push(() => void spawnSync('umount', [dir]));
    const dataDir = path.join(dir, 'data');
    const config = parseConfig({ dataDir, server: { token: TEST_TOKEN, port: 0 } }, { env: {} });
    await expect(runDaemon(config, { logToStdout: true })).rejects.toThrow(
      `cannot create the data dir ${dataDir}: the file system is read-only (EROFS)`,
    );
  });
});
