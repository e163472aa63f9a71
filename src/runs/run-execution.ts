import { AbortError, AgentdError, errorMessage, StoreError, StoreFullError } from '../errors.js';
import type { Gateway, GenerateResult } from '../gateway/gateway.js';
import type { Logger } from '../logger.js';
import type { Plugins } from '../plugins/load-plugins.js';
import { buildTeam, type ResearchTeam } from '../roles/index.js';
import type { FileCache } from '../store/file-cache.js';
import type { RunStorage } from '../store/run-storage.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import { Team } from '../team/team.js';
import type { Run } from '../types/run-record.js';
import type { EventBus, RunExecution } from './event-bus.js';
import { endAsLogged, endedInLog } from './ended-in-log.js';
import { createRunContext } from './run-context.js';
import { RunHealth } from './run-health.js';
import type { SharedRunQueue } from './run-queue.js';
import { RunRecorder } from './run-recorder.js';
import { RunSteps } from './run-steps.js';
import { canTransition, transition } from './run-transitions.js';
import { WorkGroup } from './work-group.js';

/** A run being executed here. */
export interface ActiveRun {
  controller: AbortController;
  /** Set once the run's record is loaded; until then readers use the stored record. */
  recorder: RunRecorder | undefined;
  /** Why the run is being stopped, if it is (`lost`: this member's cluster lease on it expired). */
  stopping?: 'cancel' | 'shutdown' | 'lost';
  /** Steps the execution replayed from disk instead of redoing. */
  replayedSteps?: number;
  /** An error from outside the run's own flow (an unhandled rejection in its scope) that fails it. */
  crash?: Error;
  done: Promise<void>;
}

/** What executing a run uses. */
export interface ExecutionServices {
  runs: RunStorage;
  gateway: Gateway;
  plugins: Plugins;
  events: EventBus;
  logger: Logger;
  llmCache?: FileCache<GenerateResult> | undefined;
  /** The cluster's queue, in a cluster. */
  shared: SharedRunQueue | undefined;
  /** Refuses a team naming roles that do not exist. */
  checkTeam: (team: readonly string[]) => void;
  /** Pauses a run the full disk stopped, until there is space again. */
  waitForSpace: (id: string) => void;
  /** Resolves once a run just submitted has its first record written (at once for any other run). */
  created: (id: string) => Promise<void>;
  /** The run's step results whose append failed (see RunSteps), kept from one execution to the next. */
  unsavedSteps: (id: string) => Map<string, unknown>;
}

/** The run's usage over every member that executed it, in a cluster (undefined otherwise or if unknown). */
export async function sharedRunUsage(
  shared: SharedRunQueue | undefined,
  logger: Logger,
  id: string,
): Promise<Run['usage'] | undefined> {
  if (!shared) return undefined;
  try {
    const usage = await shared.runUsage(id);
    return usage.calls > 0 ? usage : undefined;
  } catch (error) {
    logger.warn({ err: error, runId: id }, "cluster: the run's usage is this member's only");
    return undefined;
  }
}

/**
 * One execution of a run. However it ends (completed, failed, cancelled, stopped), the end aborts everything
 * the run started and waits for it before the terminal event: nothing of the execution follows that event.
 */
export async function executeRun(id: string, active: ActiveRun, services: ExecutionServices): Promise<void> {
  const { runs, events, gateway, plugins, logger, shared } = services;
  const execution = events.execution(id);
  const work = new WorkGroup(active.controller.signal);
  let team: ResearchTeam | undefined;
  let outcome: { error: unknown } | undefined;
  // A slot freed by another run may take this one before its first record is on disk.
  await services.created(id);
  const run = structuredClone(await runs.get(id));
  if (shared && run.status !== 'queued' && run.status !== 'running') {
    logger.info({ runId: id, status: run.status }, 'cluster: a run taken from the queue had already ended');
    return;
  }
  const recorder = new RunRecorder(run, runs, logger);
  active.recorder = recorder;
  if (shared) {
    // Cancelled while its member was gone (or while queued elsewhere): it ends here without doing anything.
    if (!active.stopping && (await shared.cancelRequested(id))) {
      active.stopping = 'cancel';
      active.controller.abort(new AbortError('the run was cancelled'));
    }
    // Its member died after the run's terminal event but before its record: the run had ended, and only
    // its record is written here (as a daemon's start does for its own runs, run-manager.ts).
    const ended = run.status === 'running' ? await endedInLog(runs, id) : undefined;
    if (ended) {
      endAsLogged(run, ended);
      await recorder.flush();
      logger.info({ runId: id, status: run.status }, 'cluster: a run taken from the queue had ended: record written');
      return;
    }
    // Still `running`: its member died (or stopped) mid-run, and this one resumes it from its stored steps.
    if (run.status === 'running' && !active.stopping) {
      const previous = run.member;
      execution.emit(transition(run, 'queued'), { resumed: true, after: 'member-lost', member: previous ?? null });
    }
    run.member = shared.member;
  }
  try {
    if (active.controller.signal.aborted) throw active.controller.signal.reason;
    // A stored run may predate a check or name a role that no longer exists: it fails, never crashes.
    services.checkTeam(run.team);
    const stored = await runs.steps(id);
    const corrupt = runs.corruptLines(id);
    if (corrupt.length > 0) throw new StoreError(`the run's stored files are damaged: ${corrupt.join('; ')}`);
    const steps = new RunSteps(stored.log, stored.entries, services.unsavedSteps(id));
    const type = transition(run, 'running');
    const saved = recorder.flush();
    execution.emit(type, { resumed: steps.size > 0, stepsStored: steps.size, team: run.team });
    await saved;
    const health = new RunHealth({
      providerURL: (name) => gateway.providerURL(name),
      searchName: plugins.search.name,
    });
    const context = createRunContext({
      run,
      gateway,
      plugins,
      steps,
      recorder,
      execution,
      work,
      health,
      signal: active.controller.signal,
      llmCache: services.llmCache,
    });
    team = new Team(buildTeam(run.team), context);
    await team.run(
      createMessage({ content: run.topic, payload: { topic: run.topic }, role: 'user', causeBy: USER_REQUIREMENT }),
    );
    // Fallbacks can carry a run to its end with nothing researched: that is a failure, said as such.
    const verdict = health.verdict();
    if (verdict) throw verdict;
    active.replayedSteps = steps.replayed;
  } catch (error) {
    outcome = { error };
  }
  if (!active.controller.signal.aborted) active.controller.abort(new AbortError('the run has ended'));
  await team?.settled();
  await work.settled();
  await finishRun(id, active, execution, outcome, services);
}

/** Ends an execution: its terminal event and record, or a checkpoint, or nothing at all when its lease was lost. */
async function finishRun(
  id: string,
  active: ActiveRun,
  execution: RunExecution,
  outcome: { error: unknown } | undefined,
  services: ExecutionServices,
): Promise<void> {
  const { gateway, logger, shared } = services;
  const recorder = active.recorder as RunRecorder;
  const run = recorder.run;
  run.usage = (await sharedRunUsage(shared, logger, id)) ?? gateway.ledger.runUsage(id);
  if (outcome && active.stopping === 'lost') {
    // Another member may be resuming the run by now: this one writes nothing more of it.
    execution.close();
    logger.warn({ runId: id }, 'cluster: run abandoned here after its lease expired');
    return;
  }
  if (outcome && active.stopping === 'shutdown' && shared) {
    // A member that stops gives its runs back first in line: another member resumes them from their steps.
    execution.close();
    if (run.status === 'running')
      services.events.emit(id, transition(run, 'queued'), { resumed: true, after: 'member-stopped' });
    await recorder.flush();
    await shared.requeue(id);
    logger.info({ runId: id }, 'cluster: run given back to the queue');
    return;
  }
  if (outcome && active.stopping === 'shutdown') {
    // Checkpoint: the record stays `running` (or `queued`); its steps are on disk, and the next start resumes it.
    execution.close();
    await recorder.flush();
    logger.info({ runId: id }, 'run checkpointed for the next start');
    return;
  }
  if (outcome && !active.stopping && (active.crash ?? outcome.error) instanceof StoreFullError) {
    // Nothing can be written, not even a failure: the run pauses with its steps safe on disk (appends are
    // all or nothing) and goes back to the queue once space is freed, in this same daemon.
    execution.close();
    services.waitForSpace(id);
    return;
  }
  // Everything the run found is on disk before its terminal event: a crash between that event and the final
  // record then leaves a record that only lacks its end, which the next start takes from the event.
  await recorder.flush();
  // Each branch changes the status and says how its terminal event is written, with that event's data.
  let end: () => void;
  if (!outcome) {
    const type = transition(run, 'completed');
    const data = {
      usage: run.usage,
      sources: run.sources.length,
      errors: run.errors.length,
      replayedSteps: active.replayedSteps ?? 0,
    };
    end = () => execution.end(type, data);
  } else if (active.stopping === 'cancel') {
    const type = transition(run, 'cancelled');
    const data = { usage: run.usage, ...(run.startedAt ? {} : { while: 'queued' as const }) };
    end = () => execution.end(type, data);
  } else {
    const error = active.crash ?? outcome.error;
    const code = error instanceof AgentdError ? error.code : 'AGENTD_ERR_INTERNAL';
    logger.warn({ err: error, runId: id }, 'run failed');
    const type = transition(run, 'failed');
    run.failure = { code, message: errorMessage(error) };
    const data = { code, message: errorMessage(error), usage: run.usage };
    end = () => execution.end(type, data);
  }
  // The status changes and the event goes out in the same tick: nobody sees one without the other.
  const saved = recorder.flush();
  end();
  await saved;
}

/**
 * The execution itself crashed (its record could not be loaded or its ending could not be written): the run
 * is marked failed in the store, so that the next start does not resume it, and crash, again and again.
 */
export async function failCrashed(
  id: string,
  error: unknown,
  services: Pick<ExecutionServices, 'runs' | 'events' | 'logger'>,
): Promise<void> {
  const { runs, events, logger } = services;
  logger.error({ err: error, runId: id }, 'run execution crashed');
  try {
    const run = structuredClone(await runs.get(id));
    if (!canTransition(run.status, 'failed')) return;
    const type = transition(run, 'failed');
    run.failure = { code: 'AGENTD_ERR_INTERNAL', message: `the run crashed: ${errorMessage(error)}` };
    const saved = runs.save(run);
    events.emit(id, type, { ...run.failure });
    await saved;
  } catch (second) {
    logger.error({ err: second, runId: id }, 'cannot mark the crashed run failed');
  }
}
