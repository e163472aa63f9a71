import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/load-config.js';
import { closeServices, createServices, type Services } from '../../src/daemon/services.js';
import { ConflictError } from '../../src/errors.js';
import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';
import type { RunSummary } from '../../src/types/run-record.js';
import { silentLogger } from '../../src/logger.js';
import { TERMINAL_EVENT_TYPES, type RunEvent } from '../../src/types/run-events.js';
import { AppendLog } from '../../src/store/append-log.js';
import type { ScriptedLlm } from './scripted-llm.js';
import { makeTempDir } from './temp-dir.js';

/**
 * The property-based test of run lifecycles (issue 10): random sequences of submit, cancel, resume, stop and
 * start against real services on a temp data dir and the scripted LLM, some commands sent without waiting
 * for the previous one, with the invariants checked after every command and once everything has settled.
 * Used by test/runs/run-lifecycle.property.test.ts (bounded) and bench/fuzz-runs.ts (for minutes).
 */
export type FuzzCommand =
  | { kind: 'submit'; overlap: boolean }
  | { kind: 'cancel'; run: number; overlap: boolean }
  | { kind: 'resume'; run: number; overlap: boolean }
  | { kind: 'restart' }
  | { kind: 'wait'; ms: number };

export const commandArbitrary: fc.Arbitrary<FuzzCommand> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('submit' as const), overlap: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), run: fc.nat(7), overlap: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('resume' as const), run: fc.nat(7), overlap: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 150 }) }) },
);

const TERMINAL_STATUS: Record<string, string> = {
  'run-completed': 'completed',
  'run-failed': 'failed',
  'run-cancelled': 'cancelled',
};

/** Runs one sequence; throws (with what broke) when an invariant does not hold. */
export async function runSequence(commands: readonly FuzzCommand[], llm: ScriptedLlm): Promise<void> {
  const temp = makeTempDir('agentd-fuzz-');
  const config = parseConfig(
    {
      dataDir: temp.dir,
      server: { token: 'fuzz-token-0123456789abcdef' },
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      runs: { concurrency: 2 },
      cache: { llm: false },
    },
    { env: {} },
  );
  const open = async () => {
    const services = await createServices(config, { logger: silentLogger(), token: 'fuzz-token-0123456789abcdef' });
    await services.runs.start();
    return services;
  };
  let services = await open();
  const ids: string[] = [];
  const pending: Array<Promise<unknown>> = [];
  // Cancelling a finished run or resuming a completed one is refused (409): anything else is a bug.
  const allowConflict = (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  };
  const settlePending = async () => {
    for (const result of await Promise.allSettled(pending.splice(0)))
      if (result.status === 'rejected') throw result.reason;
  };
  try {
    for (const command of commands) {
      let work: Promise<unknown> | undefined;
      const pick = (index: number) => ids[index % ids.length] as string;
      if (command.kind === 'submit')
        work = services.runs
          .submit({ topic: `fuzz topic ${ids.length}`, team: ['extractor'] })
          .then((run) => ids.push(run.id));
      else if (command.kind === 'cancel' && ids.length > 0)
        work = services.runs.cancel(pick(command.run)).catch(allowConflict);
      else if (command.kind === 'resume' && ids.length > 0)
        work = services.runs.resume(pick(command.run)).catch(allowConflict);
      else if (command.kind === 'restart') {
        await settlePending();
        await closeServices(services);
        services = await open();
      } else if (command.kind === 'wait') await sleep(command.ms);
      if (work) {
        if ('overlap' in command && command.overlap) pending.push(work);
        else await work;
      }
      await checkQueue(services);
      await checkEvents(services, ids);
    }
    await settlePending();
    const deadline = Date.now() + 30_000;
    while (services.runs.activeCount > 0 || services.runs.queuedCount > 0) {
      if (Date.now() > deadline)
        throw new Error(
          `runs did not settle: ${services.runs.activeCount} active, ${services.runs.queuedCount} queued`,
        );
      await sleep(20);
    }
    await checkQueue(services);
    await checkEvents(services, ids);
    await checkSettled(services, ids, temp.dir);
  } finally {
    await closeServices(services);
    temp.cleanup();
  }
}

/**
 * The queue holds exactly the `queued` runs (but those just taken from it to start). The list is read from
 * disk, asynchronously, while overlapping commands go on: it is compared with the queue only when the queue and
 * the executing runs were the same before and after the read, so both describe one moment.
 */
async function checkQueue(services: Services): Promise<void> {
  const snapshot = () => `${services.runs.queuedIds.join(',')}|${services.runs.activeIds.join(',')}`;
  let before: string;
  let runs: RunSummary[];
  do {
    before = snapshot();
    runs = (await services.runs.list({ limit: 1_000 })).runs;
  } while (snapshot() !== before);
  const queued = new Set(services.runs.queuedIds);
  const active = new Set(services.runs.activeIds);
  for (const summary of runs) {
    if (queued.has(summary.id) && summary.status !== 'queued')
      throw new Error(`run ${summary.id} is in the queue but ${summary.status}`);
    if (summary.status === 'queued' && !queued.has(summary.id) && !active.has(summary.id))
      throw new Error(`run ${summary.id} is queued but not in the queue`);
  }
}

/** Event seq is gap-free from 1, and the only thing that may follow a terminal event is a new run-queued. */
async function checkEvents(services: Services, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const events = await services.events.replay(id);
    events.forEach((event, index) => {
      if (event.seq !== index + 1) throw new Error(`run ${id}: event ${index + 1} has seq ${event.seq}`);
      const next = events[index + 1];
      if (TERMINAL_EVENT_TYPES.has(event.type) && next && next.type !== 'run-queued')
        throw new Error(`run ${id}: ${next.type} (seq ${next.seq}) follows ${event.type}`);
    });
  }
}

/** Once quiet: every run is in one terminal state matching its last event; no call was made outside an execution; none paid twice. */
async function checkSettled(services: Services, ids: readonly string[], dataDir: string): Promise<void> {
  const ledger = AppendLog.read<LedgerEntry>(path.join(dataDir, 'store', 'ledger.jsonl')).filter(
    (entry) => !entry.cached,
  );
  for (const id of ids) {
    const run = await services.runs.get(id);
    const events = await services.events.replay(id);
    const last = events.at(-1) as RunEvent;
    if (!TERMINAL_EVENT_TYPES.has(last.type))
      throw new Error(`run ${id} settled as ${run.status} with last event ${last.type}`);
    if (TERMINAL_STATUS[last.type] !== run.status)
      throw new Error(`run ${id} is ${run.status} but its last event is ${last.type}`);
    // Each paid call lies inside one execution: after a run-started and not after that execution's terminal event.
    const windows: Array<{ from: string; to: string; end?: string }> = [];
    for (const event of events) {
      if (event.type === 'run-started') windows.push({ from: event.at, to: '9999' });
      else if (TERMINAL_EVENT_TYPES.has(event.type) && windows.at(-1)?.to === '9999')
        Object.assign(windows.at(-1) as object, { to: event.at, end: event.type });
    }
    const paid = ledger.filter((entry) => entry.runId === id);
    for (const entry of paid) {
      if (!windows.some((window) => window.from <= entry.at && entry.at <= window.to))
        throw new Error(
          `run ${id}: an LLM call recorded at ${entry.at} outside its executions ${JSON.stringify(windows)}`,
        );
    }
    // Every finished answer is persisted as a step once: more answered calls than stored answers is a call paid
    // twice. A call cancelled while the provider had it is paid (estimated) but has no answer to store.
    const steps = AppendLog.read<{ key: string }>(path.join(dataDir, 'store', 'runs', id, 'steps.jsonl')).filter(
      (step) => step.key.startsWith('llm:'),
    );
    const answered = paid.filter((entry) => entry.estimated !== true);
    // A call is cut off only by an execution that ends without completing: cancelled, stopped, failed, or killed.
    for (const entry of paid.filter((line) => line.estimated === true)) {
      const around = windows.filter((window) => window.from <= entry.at && entry.at <= window.to);
      if (around.every((window) => window.end === 'run-completed'))
        throw new Error(`run ${id}: a call cut off at ${entry.at} in an execution that completed`);
    }
    if (answered.length !== steps.length)
      throw new Error(`run ${id}: ${answered.length} answered LLM calls for ${steps.length} stored answers`);
  }
}
