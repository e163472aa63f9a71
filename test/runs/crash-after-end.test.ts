import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { silentLogger } from '../../src/logger.js';
import type { RunEvent } from '../../src/types/run-events.js';
import type { Run } from '../../src/types/run-record.js';
import { startFixtureWeb } from '../helpers/fixture-web.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';
import { TEST_TOKEN, testConfig } from '../helpers/services.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readEvents(file: string): RunEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunEvent);
}

describe('a daemon killed between a run’s terminal event and its record', () => {
  it('writes the record from the terminal event at the next start, without executing the run again', async () => {
    const llm = await startScriptedLlm({ keywords: ['Arduino'] });
    cleanups.push(() => llm.close());
    const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
    cleanups.push(() => web.close());
    const temp = makeTempDir();
    cleanups.push(() => temp.cleanup());
    const config = testConfig(temp.dir, {
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      plugins: web.plugins,
      cache: { llm: false },
    });
    const open = async (): Promise<Services> => {
      const services = await createServices(config, { logger: silentLogger(), token: TEST_TOKEN });
      await services.runs.start();
      return services;
    };

    const first = await open();
    // What is on disk at the moment the terminal event is written is all a crash right after it leaves.
    let onDiskAtEnd: Run | undefined;
    first.events.subscribe((event) => {
      if (event.type !== 'run-completed') return;
      const file = path.join(temp.dir, 'store', 'runs', event.runId, 'run.json');
      onDiskAtEnd = JSON.parse(readFileSync(file, 'utf8')) as Run;
    });
    const { id } = await first.runs.submit({ topic: 'Arduino boards' });
    const finished = await until(
      () => first.runs.get(id),
      (run) => run.status === 'completed',
    );
    await closeServices(first);
    expect(onDiskAtEnd?.report).toBe(finished.report);
    expect(onDiskAtEnd?.sources).toEqual(finished.sources);

    // The disk as kill -9 leaves it after the terminal event: everything the run found, but still `running`.
    const store = path.join(temp.dir, 'store');
    const folder = path.join(store, 'runs', id);
    const record = JSON.parse(readFileSync(path.join(folder, 'run.json'), 'utf8')) as Run;
    record.status = 'running';
    delete record.finishedAt;
    record.usage = { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    writeFileSync(path.join(folder, 'run.json'), JSON.stringify(record));
    const summary = JSON.parse(readFileSync(path.join(folder, 'summary.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(folder, 'summary.json'), JSON.stringify({ ...summary, status: 'running' }));
    writeFileSync(path.join(store, 'unfinished', id), '');
    const eventsBefore = readEvents(path.join(folder, 'events.jsonl'));
    const terminal = eventsBefore.at(-1) as RunEvent;
    expect(terminal.type).toBe('run-completed');
    const callsBefore = llm.calls.length;

    const second = await open();
    cleanups.push(() => closeServices(second));
    const recovered = await second.runs.get(id);
    expect(recovered).toMatchObject({ status: 'completed', finishedAt: terminal.at, report: finished.report });
    expect(recovered.usage).toEqual(finished.usage);
    expect((await second.runs.list()).runs.find((run) => run.id === id)?.status).toBe('completed');
    // No second execution: no new event, no LLM call.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readEvents(path.join(folder, 'events.jsonl'))).toEqual(eventsBefore);
    expect(llm.calls.length).toBe(callsBefore);
    expect(second.runs.activeCount).toBe(0);
  });
});
