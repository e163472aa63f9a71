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
import { buildTeam, DEFAULT_TEAM, type ResearchTeam, researchRoles } from '../roles/index.js';
import type { FileCache } from '../store/file-cache.js';
import type { RunStorage } from '../store/run-storage.js';
import type { GenerateResult } from '../gateway/gateway.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import { Team } from '../team/team.js';
import type { EventBus, RunExecution } from './event-bus.js';
import { createRunContext } from './run-context.js';
import { DEFAULT_RUN_PAGE, emptyUsage, type Run, type RunPage, type RunPageRequest } from '../types/run-record.js';
import { RunRecorder } from './run-recorder.js';
import { RunHealth } from './run-health.js';
import { inRunScope } from './run-scope.js';
import { RunSteps } from './run-steps.js';
import type { SharedRunQueue } from './shared-run-queue.js';
import { canTransition, transition } from './run-transitions.js';
import { WorkGroup } from './work-group.js';
import type { RunEventData } from '../types/run-events.js';

/** How often a run paused by a full disk checks whether space has been freed. */
const STORE_FULL_POLL_MS = 1_000;
/** How long a cancel waits for the member executing the run to end it. */
const REMOTE_CANCEL_WAIT_MS = 30_000;

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
  /** Why the run is being stopped, if it is (`lost`: this member's cluster lease on it expired). */
  stopping?: 'cancel' | 'shutdown' | 'lost';
  /** Steps the execution replayed from disk instead of redoing. */
  replayedSteps?: number;
  /** An error from outside the run's own flow (an unhandled rejection in its scope) that fails it. */
  crash?: Error;
  done: Promise<void>;
}

export interface RunManagerOptions {
  config: Pick<Config, 'runs' | 'budget'>;
  runs: RunStorage;
  gateway: Gateway;
  plugins: Plugins;
  events: EventBus;
  logger: Logger;
  llmCache?: FileCache<GenerateResult> | undefined;
  /** The cluster's run queue: runs are queued there and taken by whichever member has a free slot. */
  shared?: SharedRunQueue | undefined;
}

/**
 * Runs research: a FIFO queue served `runs.concurrency` at a time. Every run's progress is persisted (record,
 * steps, events), so a run left `queued` or `running` by a stop or a crash is picked up again by `start()`,
 * replaying its finished steps instead of redoing them. In a cluster the queue is the cluster's (`shared`):
 * this member takes runs from it while it has free slots, and a run left by a member that died comes back
 * through it.
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
  /** A claim from the cluster's queue is under way; `#claimAgain`: something was queued meanwhile. */
  #claiming = false;
  #claimAgain = false;
  #listCache: { key: string; body: Buffer } | undefined;

  constructor(options: RunManagerOptions) {
    this.#options = options;
  }

  /** Resumes what the last daemon left queued or running, oldest first, and starts serving the queue. */
  async start(): Promise<void> {
    this.#accepting = true;
    const shared = this.#options.shared;
    if (shared) {
      // The cluster's queue holds what is waiting, and the runs of a dead member come back through it.
      shared.listen({
        wake: () => this.#schedule(),
        cancel: (id) => this.#stopHere(id, 'cancel', new AbortError('the run was cancelled')),
        lost: (id) => this.#stopHere(id, 'lost', new AbortError("this member's lease on the run expired")),
      });
      this.#schedule();
      return;
    }
    const unfinished = await this.#options.runs.unfinished();
    for (const summary of unfinished) {
      await this.#serialized(summary.id, async () => {
        try {
          const run = structuredClone(await this.#options.runs.get(summary.id));
          // The record is the truth: a crash between writing it and its summary can leave the summary behind.
          if (run.status !== 'queued' && run.status !== 'running') {
            await this.#options.runs.save(run);
            return;
          }
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
      const queued = this.#enqueue(run.id, { topic: run.topic, language: run.language }, saved);
      await saved;
      await queued;
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

  /** One page of the run list, newest first, with the live status and cost of the runs executing here. */
  async list(page: RunPageRequest = { limit: DEFAULT_RUN_PAGE }): Promise<RunPage> {
    const stored = await this.#options.runs.list(page);
    const runs = stored.runs.map((summary) => {
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
    return stored.next === undefined ? { runs } : { runs, next: stored.next };
  }

  /**
   * The page as encoded JSON (`{"runs": [...], "next"?}`), read again only when a run's summary or the ledger
   * has changed since the last page asked for: the dashboard asks for the first page at every event of a run.
   * One page is kept, so memory does not grow with the pages asked for.
   */
  async listJson(page: RunPageRequest = { limit: DEFAULT_RUN_PAGE }): Promise<Buffer> {
    // Active runs' statuses change in memory a moment before the store's version does: they are in the key.
    const live = [...this.#active].map(([id, active]) => `${id}=${active.recorder?.run.status ?? ''}`).join(',');
    const key = `${page.limit}:${page.before ?? ''}:${this.#options.runs.version}:${this.#options.gateway.ledger.size}:${live}`;
    if (this.#listCache?.key === key) return this.#listCache.body;
    const body = Buffer.from(JSON.stringify(await this.list(page)));
    this.#listCache = { key, body };
    return body;
  }

  /** The run as it stands, with usage straight from the ledger. */
  async get(id: string): Promise<Run> {
    const recorder = this.#active.get(id)?.recorder;
    const run = recorder ? structuredClone(recorder.run) : await this.#options.runs.get(id);
    const shared = await this.#sharedUsage(id);
    if (shared) return { ...run, usage: shared };
    // The ledger keeps the totals of recent runs only; an older run's record holds its final usage.
    const ledger = this.#options.gateway.ledger;
    return { ...run, usage: recorder || ledger.hasRun(id) ? ledger.runUsage(id) : run.usage };
  }

  get activeCount(): number {
    return this.#active.size;
  }

  get queuedCount(): number {
    return this.#options.shared?.waiting ?? this.#queue.length;
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
      const shared = this.#options.shared;
      if (shared && (run.status === 'queued' || run.status === 'running') && !(await shared.remove(id))) {
        const holder = await shared.holder(id);
        if (holder !== undefined && holder !== shared.member) return this.#cancelElsewhere(id);
      }
      const paused = this.#waitingForSpace.get(id);
      // A run taken back from the cluster's queue after its member died may still say `running`.
      if (run.status !== 'queued' && !paused && !(shared && run.status === 'running'))
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
      const queued = this.#enqueue(id, { resumed: true }, saved);
      await saved;
      await queued;
      this.#schedule();
      return this.get(id);
    });
  }

  /** Another member executes the run: asks it to cancel, and waits (bounded) until the run has ended. */
  async #cancelElsewhere(id: string): Promise<Run> {
    await this.#options.shared?.requestCancel(id);
    const deadline = Date.now() + REMOTE_CANCEL_WAIT_MS;
    for (;;) {
      const run = await this.get(id);
      if (run.status !== 'running' && run.status !== 'queued') return run;
      if (Date.now() > deadline) return run;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops a run this member executes, for a reason given by the cluster. */
  #stopHere(id: string, reason: 'cancel' | 'lost', error: Error): void {
    const active = this.#active.get(id);
    if (!active || active.stopping) return;
    active.stopping = reason;
    active.controller.abort(error);
  }

  /** The run's usage over every member that executed it, in a cluster (undefined otherwise or if unknown). */
  async #sharedUsage(id: string): Promise<Run['usage'] | undefined> {
    const shared = this.#options.shared;
    if (!shared) return undefined;
    try {
      const usage = await shared.runUsage(id);
      return usage.calls > 0 ? usage : undefined;
    } catch (error) {
      this.#options.logger.warn({ err: error, runId: id }, "cluster: the run's usage is this member's only");
      return undefined;
    }
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

  /**
   * Puts a run at the end of the queue, with its `run-queued` event in the same tick. In a cluster the run
   * enters the cluster's queue once `saved` (its record) is written, so no member takes a run it cannot read;
   * its place in that queue is not known here, so the event has no `position`.
   */
  #enqueue(
    id: string,
    data: Omit<RunEventData<'run-queued'>, 'position'>,
    saved?: Promise<void>,
  ): Promise<void> | undefined {
    const shared = this.#options.shared;
    if (shared) {
      this.#options.events.emit(id, 'run-queued', data);
      return (saved ?? Promise.resolve()).then(() => shared.push(id));
    }
    this.#queue.push(id);
    this.#options.events.emit(id, 'run-queued', { ...data, position: this.#queue.length });
    return undefined;
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
    if (this.#options.shared) {
      this.#claimShared(this.#options.shared);
      return;
    }
    while (this.#accepting && this.#active.size < this.#options.config.runs.concurrency && this.#queue.length > 0)
      this.#startExecution(this.#queue.shift() as string);
  }

  /** Takes runs from the cluster's queue while this member has free slots (one claim at a time). */
  #claimShared(shared: SharedRunQueue): void {
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    this.#claiming = true;
    void (async () => {
      while (this.#accepting && this.#active.size < this.#options.config.runs.concurrency) {
        const id = await shared.claim();
        if (id === undefined) break;
        // Stopped while the claim was on its way: the run goes back first in line for another member.
        if (!this.#accepting) await shared.requeue(id);
        else this.#startExecution(id);
      }
    })()
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'cluster: cannot take a run from the queue'))
      .finally(() => {
        this.#claiming = false;
        if (this.#claimAgain) {
          this.#claimAgain = false;
          this.#schedule();
        }
      });
  }

  #startExecution(id: string): void {
    const controller = new AbortController();
    // Every concurrent call of the run (LLM, page, search) listens to this one signal.
    setMaxListeners(0, controller.signal);
    const entry: ActiveRun = { controller, recorder: undefined, done: Promise.resolve() };
    this.#active.set(id, entry);
    const ended = () => {
      if (this.#active.get(id) === entry) this.#active.delete(id);
      this.#options.events.release(id);
      this.#schedule();
    };
    const shared = this.#options.shared;
    entry.done = inRunScope(id, () => this.#execute(id, entry))
      .catch((error: unknown) => this.#failCrashed(id, error))
      .finally(() =>
        shared
          ? // The lease ends with the execution (a no-op when the run was given back or taken over).
            shared
              .release(id)
              .catch((error: unknown) =>
                this.#options.logger.warn({ err: error, runId: id }, 'cluster: lease not ended'),
              )
              .then(ended)
          : ended(),
      );
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
    let team: ResearchTeam | undefined;
    let outcome: { error: unknown } | undefined;
    // A slot freed by another run may take this one before its first record is on disk.
    await this.#creating.get(id);
    const run = structuredClone(await runs.get(id));
    const shared = this.#options.shared;
    if (shared && run.status !== 'queued' && run.status !== 'running') {
      logger.info({ runId: id, status: run.status }, 'cluster: a run taken from the queue had already ended');
      return;
    }
    const recorder = new RunRecorder(run, runs, logger);
    active.recorder = recorder;
    if (shared) {
      // Still `running`: its member died (or stopped) mid-run, and this one resumes it from its stored steps.
      if (run.status === 'running') {
        const previous = run.member;
        execution.emit(transition(run, 'queued'), { resumed: true, after: 'member-lost', member: previous ?? null });
      }
      run.member = shared.member;
    }
    try {
      if (active.controller.signal.aborted) throw active.controller.signal.reason;
      // A stored run may predate a check or name a role that no longer exists: it fails, never crashes.
      checkTeam(run.team);
      const stored = await runs.steps(id);
      const corrupt = runs.corruptLines(id);
      if (corrupt.length > 0) throw new StoreError(`the run's stored files are damaged: ${corrupt.join('; ')}`);
      const steps = new RunSteps(stored.log, stored.entries);
      const type = transition(run, 'running');
      const saved = recorder.flush();
      execution.emit(type, { resumed: steps.size > 0, stepsStored: steps.size, team: run.team });
      await saved;
      const roles = buildTeam(run.team);
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
    run.usage = (await this.#sharedUsage(id)) ?? gateway.ledger.runUsage(id);
    if (outcome && active.stopping === 'lost') {
      // Another member may be resuming the run by now: this one writes nothing more of it.
      execution.close();
      logger.warn({ runId: id }, 'cluster: run abandoned here after its lease expired');
      return;
    }
    const shared = this.#options.shared;
    if (outcome && active.stopping === 'shutdown' && shared) {
      // A member that stops gives its runs back first in line: another member resumes them from their steps.
      execution.close();
      if (run.status === 'running')
        this.#options.events.emit(id, transition(run, 'queued'), { resumed: true, after: 'member-stopped' });
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
        const queued = this.#enqueue(id, { resumed: true, after: 'store-full' }, saved);
        await saved;
        await queued;
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
 * Refuses names that are not roles. Own properties only: `"valueOf" in researchRoles` is true, and a team
 * naming it would call Object.prototype.valueOf as a role.
 */
function checkTeam(team: readonly string[]): void {
  const unknown = team.filter((name) => !Object.hasOwn(researchRoles, name));
  if (unknown.length > 0)
    throw new BadRequestError(
      `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} in team (roles: ${Object.keys(researchRoles).join(', ')})`,
    );
}

/** Time-ordered, URL-safe ids: sortable, and unguessable enough for a local daemon. */
function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}
