import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Config } from '../config/load-config.js';
import {
  AbortError,
  AgentdError,
  BadRequestError,
  ConflictError,
  errorMessage,
  StoreError,
  StoreFullError,
} from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import type { Logger } from '../logger.js';
import type { Plugins } from '../plugins/load-plugins.js';
import { DEFAULT_TEAM, roleFactories } from '../roles/index.js';
import type { FileCache } from '../store/file-cache.js';
import type { RunStore } from '../store/run-store.js';
import type { GenerateResult } from '../gateway/gateway.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import { Team } from '../team/team.js';
import type { EventBus, RunExecution } from './event-bus.js';
import { createRunContext } from './run-context.js';
import { emptyUsage, type Run, type RunSummary } from './run-record.js';
import { RunRecorder } from './run-recorder.js';
import { RunHealth } from './run-health.js';
import { inRunScope } from './run-scope.js';
import { RunSteps } from './run-steps.js';
import { canTransition, transition } from './run-transitions.js';
import { WorkGroup } from './work-group.js';
import type { RunEventData } from '../types/run-events.js';

/** How often a run paused by a full disk checks whether space has been freed. */
const STORE_FULL_POLL_MS = 1_000;

export interface SubmitRequest {
  topic: string;
  language?: string | undefined;
  budgetUsd?: number | undefined;
  team?: string[] | undefined;
}

interface ActiveRun {
  controller: AbortController;
  /** Set once the run's record is loaded; until then readers use the stored record. */
  recorder: RunRecorder | undefined;
  /** Why the run is being stopped, if it is. */
  stopping?: 'cancel' | 'shutdown';
  /** Steps the execution replayed from disk instead of redoing. */
  replayedSteps?: number;
  /** An error from outside the run's own flow (an unhandled rejection in its scope) that fails it. */
  crash?: Error;
  done: Promise<void>;
}

export interface RunManagerOptions {
  config: Pick<Config, 'runs' | 'budget'>;
  runs: RunStore;
  gateway: Gateway;
  plugins: Plugins;
  events: EventBus;
  logger: Logger;
  llmCache?: FileCache<GenerateResult> | undefined;
}

/**
 * Runs research: a FIFO queue served `runs.concurrency` at a time. Every run's progress is persisted (record,
 * steps, events), so a run left `queued` or `running` by a stop or a crash is picked up again by `start()`,
 * replaying its finished steps instead of redoing them.
 */
export class RunManager {
  readonly #options: RunManagerOptions;
  readonly #queue: string[] = [];
  readonly #active = new Map<string, ActiveRun>();
  /** Runs just submitted whose first record is being written. */
  readonly #creating = new Map<string, Promise<void>>();
  /** Runs paused by a full disk, with the timer that checks for space. */
  readonly #waitingForSpace = new Map<string, NodeJS.Timeout>();
  /** The tail of each run's chain of cancel/resume/start operations (see #serialized). */
  readonly #locks = new Map<string, Promise<void>>();
  #accepting = false;
  #listCache: { key: string; body: Buffer } | undefined;

  constructor(options: RunManagerOptions) {
    this.#options = options;
  }

  /** Resumes what the last daemon left queued or running, oldest first, and starts serving the queue. */
  async start(): Promise<void> {
    this.#accepting = true;
    const unfinished = this.#options.runs
      .list()
      .filter((summary) => summary.status === 'queued' || summary.status === 'running')
      .reverse();
    for (const summary of unfinished) {
      await this.#serialized(summary.id, async () => {
        try {
          const run = structuredClone(await this.#options.runs.get(summary.id));
          // Waiting for a slot, it is `queued` whatever brought it there, and can be cancelled as such.
          if (run.status === 'running') transition(run, 'queued');
          const saved = this.#options.runs.save(run);
          this.#enqueue(run.id, { resumed: true });
          await saved;
        } catch (error) {
          await this.#failCrashed(summary.id, error);
        }
      });
    }
    if (unfinished.length > 0)
      this.#options.logger.info({ runs: unfinished.map((summary) => summary.id) }, 'resuming unfinished runs');
    this.#schedule();
  }

  async submit(request: SubmitRequest): Promise<Run> {
    const team = request.team ?? [...DEFAULT_TEAM];
    checkTeam(team);
    const run: Run = {
      id: newRunId(),
      topic: request.topic,
      language: request.language ?? 'en',
      status: 'queued',
      createdAt: new Date().toISOString(),
      team: [...new Set(team)],
      keywords: [],
      wiki: [],
      sources: [],
      report: '',
      usage: emptyUsage(),
      errors: [],
    };
    const budget = request.budgetUsd ?? this.#options.config.budget.perRunUsd;
    if (budget !== undefined) run.budgetUsd = budget;
    const saved = this.#options.runs.save(run);
    this.#creating.set(run.id, saved);
    // Queued in the same tick as its record appears: the queue holds exactly the queued runs.
    try {
      this.#enqueue(run.id, { topic: run.topic, language: run.language });
      await saved;
      this.#creating.delete(run.id);
    } catch (error) {
      this.#creating.delete(run.id);
      const index = this.#queue.indexOf(run.id);
      if (index !== -1) this.#queue.splice(index, 1);
      await saved.catch(() => undefined);
      // Refused as a whole: nothing of the run stays behind to be listed or resumed.
      await this.#options.runs
        .discard(run.id)
        .catch((discardError: unknown) =>
          this.#options.logger.warn({ err: discardError, runId: run.id }, 'cannot remove the refused run'),
        );
      throw error;
    }
    this.#schedule();
    return run;
  }

  list(): RunSummary[] {
    return this.#options.runs.list().map((summary) => {
      const recorder = this.#active.get(summary.id)?.recorder;
      return recorder
        ? {
            ...summary,
            status: recorder.run.status,
            costUsd: this.#options.gateway.ledger.runUsage(summary.id).costUsd,
            sourceCount: recorder.run.sources.length,
          }
        : summary;
    });
  }

  /**
   * `{"runs": [...]}` as encoded JSON, rebuilt only when a run's summary or the ledger has changed since:
   * listing 1,000 runs then costs a lookup, not 1,000 objects and 400 KB of garbage per request.
   */
  listJson(): Buffer {
    // Active runs' statuses change in memory a moment before the store's version does: they are in the key.
    const live = [...this.#active].map(([id, active]) => `${id}=${active.recorder?.run.status ?? ''}`).join(',');
    const key = `${this.#options.runs.version}:${this.#options.gateway.ledger.size}:${live}`;
    if (this.#listCache?.key !== key)
      this.#listCache = { key, body: Buffer.from(JSON.stringify({ runs: this.list() })) };
    return this.#listCache.body;
  }

  /** The run as it stands, with usage straight from the ledger. */
  async get(id: string): Promise<Run> {
    const recorder = this.#active.get(id)?.recorder;
    const run = recorder ? structuredClone(recorder.run) : await this.#options.runs.get(id);
    // The ledger keeps the totals of recent runs only; an older run's record holds its final usage.
    const ledger = this.#options.gateway.ledger;
    return { ...run, usage: recorder || ledger.hasRun(id) ? ledger.runUsage(id) : run.usage };
  }

  get activeCount(): number {
    return this.#active.size;
  }

  get queuedCount(): number {
    return this.#queue.length;
  }

  /** Ids of the runs being executed (or about to be). */
  get activeIds(): readonly string[] {
    return [...this.#active.keys()];
  }

  /** Ids of the runs waiting for a slot, first to start first. */
  get queuedIds(): readonly string[] {
    return [...this.#queue];
  }

  /** Cancels a queued or running run; its LLM and network calls are aborted at once. */
  cancel(id: string): Promise<Run> {
    return this.#serialized(id, async () => {
      const run = await this.#options.runs.get(id);
      const active = this.#active.get(id);
      if (active) {
        if (!active.stopping) {
          active.stopping = 'cancel';
          active.controller.abort(new AbortError('the run was cancelled'));
        }
        await active.done;
        return this.get(id);
      }
      const paused = this.#waitingForSpace.get(id);
      if (run.status !== 'queued' && !paused)
        throw new ConflictError(`run ${id} is ${run.status}: only queued or running runs can be cancelled`);
      const index = this.#queue.indexOf(id);
      if (index !== -1) this.#queue.splice(index, 1);
      const cancelled = structuredClone(run);
      const type = transition(cancelled, 'cancelled');
      const saved = this.#options.runs.save(cancelled);
      if (paused) {
        clearInterval(paused);
        this.#waitingForSpace.delete(id);
      }
      this.#options.events.emit(id, type, { while: paused ? 'waiting for space' : 'queued' });
      await saved;
      return this.get(id);
    });
  }

  /** Queues a failed or cancelled run again; it continues from its persisted steps. */
  resume(id: string): Promise<Run> {
    return this.#serialized(id, async () => {
      // A run that has just failed may still be finishing its previous execution: let it end first.
      await this.#active.get(id)?.done;
      const run = structuredClone(await this.#options.runs.get(id));
      if (run.status !== 'failed' && run.status !== 'cancelled')
        throw new ConflictError(`run ${id} is ${run.status}: only failed or cancelled runs can be resumed`);
      transition(run, 'queued');
      const saved = this.#options.runs.save(run);
      this.#enqueue(id, { resumed: true });
      await saved;
      this.#schedule();
      return this.get(id);
    });
  }

  /**
   * Fails a running run for an error that escaped its own flow (see process-guards.ts): its work is aborted
   * and it ends `failed` with this error. Does nothing for a run that is not running or already ending.
   */
  failFromCrash(id: string, error: Error): void {
    const active = this.#active.get(id);
    if (!active || active.stopping || active.crash) return;
    active.crash = error;
    active.controller.abort(error);
  }

  /** Stops serving: running runs are checkpointed (left `running`, with their steps on disk) for the next start. */
  async close(): Promise<void> {
    this.#accepting = false;
    // Runs paused by a full disk stay `running` in the store: the next start resumes them.
    for (const timer of this.#waitingForSpace.values()) clearInterval(timer);
    this.#waitingForSpace.clear();
    const stopping = [...this.#active.values()];
    for (const active of stopping) {
      active.stopping ??= 'shutdown';
      active.controller.abort(new AbortError('the daemon is stopping'));
    }
    await Promise.all(stopping.map((active) => active.done));
  }

  /** Puts a run at the end of the queue, with its `run-queued` event in the same tick. */
  #enqueue(id: string, data: Omit<RunEventData<'run-queued'>, 'position'>): void {
    this.#queue.push(id);
    this.#options.events.emit(id, 'run-queued', { ...data, position: this.#queue.length });
  }

  /**
   * Runs `work` after every earlier operation on the same run has finished: a cancel sent a few microtasks
   * after a resume sees the resumed run, never a half-resumed one.
   */
  #serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(id, tail);
    void tail.then(() => {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    });
    return result;
  }

  #schedule(): void {
    while (this.#accepting && this.#active.size < this.#options.config.runs.concurrency && this.#queue.length > 0) {
      const id = this.#queue.shift() as string;
      const controller = new AbortController();
      // Every concurrent call of the run (LLM, page, search) listens to this one signal.
      setMaxListeners(0, controller.signal);
      const entry: ActiveRun = { controller, recorder: undefined, done: Promise.resolve() };
      this.#active.set(id, entry);
      entry.done = inRunScope(id, () => this.#execute(id, entry))
        .catch((error: unknown) => this.#failCrashed(id, error))
        .finally(() => {
          if (this.#active.get(id) === entry) this.#active.delete(id);
          this.#options.events.release(id);
          this.#schedule();
        });
    }
  }

  /**
   * One execution of a run. However it ends (completed, failed, cancelled, stopped), the end aborts
   * everything the run started and waits for it before the terminal event: nothing of the execution
   * follows that event.
   */
  async #execute(id: string, active: ActiveRun): Promise<void> {
    const { runs, events, gateway, plugins, logger } = this.#options;
    const execution = events.execution(id);
    const work = new WorkGroup(active.controller.signal);
    let team: Team | undefined;
    let outcome: { error: unknown } | undefined;
    // A slot freed by another run may take this one before its first record is on disk.
    await this.#creating.get(id);
    const run = structuredClone(await runs.get(id));
    const recorder = new RunRecorder(run, runs, logger);
    active.recorder = recorder;
    try {
      if (active.controller.signal.aborted) throw active.controller.signal.reason;
      // A stored run may predate a check or name a role that no longer exists: it fails, never crashes.
      checkTeam(run.team);
      const stored = runs.steps(id);
      const corrupt = runs.corruptLines(id);
      if (corrupt.length > 0) throw new StoreError(`the run's stored files are damaged: ${corrupt.join('; ')}`);
      const steps = new RunSteps(stored.log, stored.entries);
      const type = transition(run, 'running');
      const saved = recorder.flush();
      execution.emit(type, { resumed: steps.size > 0, stepsStored: steps.size, team: run.team });
      await saved;
      const roles = run.team.map((name) => (roleFactories[name] as (typeof roleFactories)[string])(run.team));
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
        llmCache: this.#options.llmCache,
      });
      team = new Team(roles, context);
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
    await this.#finish(id, active, execution, outcome);
  }

  async #finish(
    id: string,
    active: ActiveRun,
    execution: RunExecution,
    outcome: { error: unknown } | undefined,
  ): Promise<void> {
    const { gateway, logger } = this.#options;
    const recorder = active.recorder as RunRecorder;
    const run = recorder.run;
    run.usage = gateway.ledger.runUsage(id);
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
      this.#waitForSpace(id);
      return;
    }
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

  /** Polls the store until a write succeeds again, then queues the run to continue from its steps. */
  #waitForSpace(id: string): void {
    const { runs, logger } = this.#options;
    logger.warn({ runId: id }, 'the data dir is full: the run waits for space to continue');
    const timer = setInterval(() => {
      if (!runs.isWritable()) return;
      clearInterval(timer);
      this.#waitingForSpace.delete(id);
      this.#serialized(id, async () => {
        const run = structuredClone(await runs.get(id));
        if (run.status === 'running') transition(run, 'queued');
        if (run.status !== 'queued') return;
        const saved = runs.save(run);
        this.#enqueue(id, { resumed: true, after: 'store-full' });
        await saved;
        this.#schedule();
      }).catch((error: unknown) => {
        logger.error({ err: error, runId: id }, 'cannot queue the run again after the store was full');
        this.#waitForSpace(id);
      });
    }, STORE_FULL_POLL_MS);
    timer.unref();
    this.#waitingForSpace.set(id, timer);
  }

  /**
   * The execution itself crashed (its record could not be loaded or its ending could not be written): the run
   * is marked failed in the store, so that the next start does not resume it, and crash, again and again.
   */
  async #failCrashed(id: string, error: unknown): Promise<void> {
    const { runs, events, logger } = this.#options;
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
}

/**
 * Refuses names that are not roles. Own properties only: `"valueOf" in roleFactories` is true, and a team
 * naming it would call Object.prototype.valueOf as a role.
 */
function checkTeam(team: readonly string[]): void {
  const unknown = team.filter((name) => !Object.hasOwn(roleFactories, name));
  if (unknown.length > 0)
    throw new BadRequestError(
      `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} in team (roles: ${Object.keys(roleFactories).join(', ')})`,
    );
}

/** Time-ordered, URL-safe ids: sortable, and unguessable enough for a local daemon. */
function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}
