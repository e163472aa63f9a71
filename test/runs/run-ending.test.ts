import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_EVENT_TYPES, type RunEvent } from '../../src/types/run-events.js';
import type { Run } from '../../src/runs/run-record.js';
import { EventBus } from '../../src/runs/event-bus.js';
import { silentLogger } from '../../src/logger.js';
import { Store } from '../../src/store/store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startFixtureWeb } from '../helpers/fixture-web.js';
import { auth, buildTestApp, waitForRun } from '../helpers/services.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(llmOptions: Parameters<typeof startScriptedLlm>[0] = {}) {
  const llm = await startScriptedLlm({ keywords: ['Arduino'], ...llmOptions });
  cleanups.push(() => llm.close());
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
  cleanups.push(() => web.close());
  const built = await buildTestApp({
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
    plugins: web.plugins,
    cache: { llm: false },
  });
  cleanups.push(built.close);
  const submit = async (topic: string) =>
    (await built.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { topic } })).json() as {
      id: string;
    };
  return { llm, ...built, submit };
}

/** The events of the run after its first terminal event: none may exist. */
function eventsAfterTerminal(events: RunEvent[]): RunEvent[] {
  const terminal = events.findIndex((event) => TERMINAL_EVENT_TYPES.has(event.type));
  return terminal === -1 ? [] : events.slice(terminal + 1);
}

describe('the end of a run', () => {
  it('a run that fails stops its other work before run-failed: no call, no event after it', async () => {
    const { llm, services, app, submit } = await setup({ latencyMs: 150 });
    // The wiki role's call is refused for good while the researcher is busy with its own calls.
    llm.failing = { action: 'Wiki', status: 401 };
    const { id } = await submit('Arduino boards');
    const run = (await waitForRun(app, id)) as unknown as Run;
    expect(run.status).toBe('failed');
    // A request the gateway had sent before the end can reach this in-process server just after it; the run's end
    // must have cancelled it. A call answered after the end, or sent after it (with a live signal), is a bug.
    const calls = llm.calls.length;
    await sleep(600);
    const lateCalls = llm.calls.slice(calls).filter((call) => !call.cancelledByClient);
    expect(lateCalls.map((call) => call.action)).toEqual([]);
    const events = await services.events.replay(id);
    expect(events.at(-1)?.type).toBe('run-failed');
    expect(eventsAfterTerminal(events)).toEqual([]);
  });

  it('a cancelled run has finished every action before run-cancelled is written', async () => {
    const { llm, services, app, submit } = await setup({ latencyMs: 2_000 });
    const { id } = await submit('Arduino boards');
    await expect.poll(() => llm.calls.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const cancelled = await app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel`, headers: auth });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    await sleep(300);
    const events = await services.events.replay(id);
    expect(events.at(-1)?.type).toBe('run-cancelled');
    expect(eventsAfterTerminal(events)).toEqual([]);
  });

  it("the event bus refuses an execution's events once its terminal event is written; the next execution goes on", async () => {
    const temp = makeTempDir();
    const store = await Store.open(temp.dir);
    cleanups.push(async () => {
      store.close();
      await temp.cleanup();
    });
    const bus = new EventBus(store.runs, silentLogger());
    const first = bus.execution('run-1');
    const started = { resumed: false, stepsStored: 0, team: ['extractor'] };
    first.emit('run-started', started);
    first.end('run-failed', { code: 'X', message: 'broke' });
    expect(first.emit('action-start', { role: 'extractor', action: 'KeywordExtract' })).toBeUndefined();
    expect(first.ended).toBe(true);
    const second = bus.execution('run-1');
    expect(second.emit('run-started', started)?.seq).toBe(3);
    expect((await bus.replay('run-1')).map((event) => event.type)).toEqual([
      'run-started',
      'run-failed',
      'run-started',
    ]);
  });
});
