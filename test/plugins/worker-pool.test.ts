import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExtractionPool } from '../../plugins/browse/worker-pool.js';
import { PluginError, TimeoutError } from '../../src/errors.js';

const ECHO_WORKER = fileURLToPath(new URL('../fixtures/worker-pool/echo-worker.mjs', import.meta.url));
const page = (text: string) => ({ kind: 'html' as const, text, url: `http://example.test/${text}` });

describe('the extraction worker pool', () => {
  const pools: ExtractionPool[] = [];
  const pool = (options: { size?: number; idleMs?: number; taskTimeoutMs?: number } = {}) => {
    const created = new ExtractionPool({
      size: options.size ?? 2,
      taskTimeoutMs: options.taskTimeoutMs ?? 5_000,
      idleMs: options.idleMs ?? 60_000,
      workerFile: ECHO_WORKER,
    });
    pools.push(created);
    return created;
  };
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(pools.splice(0).map((created) => created.close()));
  });

  it('starts no worker until the first task, then only as many as tasks need', async () => {
    const extraction = pool({ size: 2 });
    expect(extraction.workerCount).toBe(0);
    await expect(extraction.run(page('one'))).resolves.toMatchObject({ title: 'one' });
    expect(extraction.workerCount).toBe(1);
    await Promise.all([extraction.run(page('two')), extraction.run(page('three')), extraction.run(page('four'))]);
    expect(extraction.workerCount).toBe(2);
  });

  it('lets its workers exit after the idle period, and starts one again for the next task', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const extraction = pool({ size: 2, idleMs: 60_000 });
    await Promise.all([extraction.run(page('one')), extraction.run(page('two'))]);
    expect(extraction.workerCount).toBe(2);
    vi.advanceTimersByTime(59_999);
    expect(extraction.workerCount).toBe(2);
    vi.advanceTimersByTime(1);
    expect(extraction.workerCount).toBe(0);
    await expect(extraction.run(page('again'))).resolves.toMatchObject({ title: 'again' });
    expect(extraction.workerCount).toBe(1);
  });

  it('runs each worker in a process of its own, which is gone after the idle period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const extraction = pool({ size: 1, idleMs: 1_000 });
    const { pid } = (await extraction.run(page('one'))) as unknown as { pid: number };
    expect(pid).not.toBe(process.pid);
    expect(() => process.kill(pid, 0)).not.toThrow();
    vi.advanceTimersByTime(1_000);
    vi.useRealTimers();
    // The process has exited (and been reaped) once the pool no longer lists it: its memory is the system's again.
    await vi.waitFor(() => expect(() => process.kill(pid, 0)).toThrow(), { timeout: 10_000 });
  });

  it('keeps a worker that keeps getting tasks within the idle period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const extraction = pool({ size: 1, idleMs: 1_000 });
    for (let index = 0; index < 5; index++) {
      await extraction.run(page(`page-${index}`));
      vi.advanceTimersByTime(900);
    }
    // 4.5 s in all, but never 1 s without a task.
    expect(extraction.workerCount).toBe(1);
    vi.advanceTimersByTime(100);
    expect(extraction.workerCount).toBe(0);
  });

  it('replaces a worker that exits mid-task, failing only that task', async () => {
    const extraction = pool({ size: 1 });
    await expect(extraction.run(page('crash'))).rejects.toThrow(PluginError);
    expect(extraction.workerCount).toBe(0);
    await expect(extraction.run(page('after'))).resolves.toMatchObject({ title: 'after' });
  });

  it('abandons a task that outlives its timeout and ends its worker', async () => {
    const extraction = pool({ size: 1, taskTimeoutMs: 100 });
    await expect(extraction.run(page('hang'))).rejects.toThrow(TimeoutError);
    expect(extraction.workerCount).toBe(0);
  });
});
