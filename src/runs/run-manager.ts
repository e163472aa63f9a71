import { setMaxListeners } from 'node:events';
import type { Config } from '../config/load-config.js';
import { AbortError, ConflictError } from '../errors.js';
import type { Gateway, GenerateResult } from '../gateway/gateway.js';
import type { Logger } from '../logger.js';
import type { Plugins } from '../plugins/load-plugins.js';
import type { FileCache } from '../store/file-cache.js';
import type { RunStorage } from '../store/run-storage.js';
import type { RunEventData } from '../types/run-events.js';
import { DEFAULT_RUN_PAGE, type Run, type RunPage, type RunPageRequest } from '../types/run-record.js';
import type { EventBus } from './event-bus.js';
import { LocalRunQueue } from './local-run-queue.js';
import { endAsLogged, endedInLog } from './ended-in-log.js';
import { checkTeam, newRun, type SubmitRequest } from './new-run.js';
import { cancelElsewhere } from './remote-cancel.js';
import { type ActiveRun, type ExecutionServices, executeRun, failCrashed, sharedRunUsage } from './run-execution.js';
import type { RunQueue, SharedRunQueue } from './run-queue.js';
import { RunListing } from './run-listing.js';
import { RunLocks } from './run-locks.js';
import { inRunScope } from './run-scope.js';
import { SpaceWaiter } from './space-waiter.js';
import { transition } from './run-transitions.js';
import { UnsavedSteps } from './unsaved-steps.js';

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
 * through it. Executing one run is run-execution.ts's.
 */
export class RunManager {
  readonly #options: RunManagerOptions;
  readonly #queue: RunQueue;
  readonly #shared: SharedRunQueue | undefined;
  readonly #execution: ExecutionServices;
  readonly #active = new Map<string, ActiveRun>();
  /** Runs just submitted whose first record is being written. */
  readonly #creating = new Map<string, Promise<void>>();
  /** Runs paused by a full disk. */
  readonly #waitingForSpace: SpaceWaiter;
  readonly #locks = new RunLocks();
  readonly #unsavedSteps = new UnsavedSteps();
  #accepting = false;
  readonly #listing: RunListing;

  constructor(options: RunManagerOptions) {
    this.#options = options;
    this.#waitingForSpace = new SpaceWaiter(options.runs, options.logger);
    this.#shared = options.shared;
    this.#listing = new RunListing(options.runs, options.gateway.ledger, this.#active);
    this.#queue = options.shared ?? new LocalRunQueue();
    this.#execution = {
      ...options,
      shared: options.shared,
      checkTeam,
      waitForSpace: (id) =>
        this.#waitingForSpace.wait(id, () =>
          this.#locks.serialized(id, async () => {
            await this.#requeueStored(id, { resumed: true, after: 'store-full' });
            this.#queue.schedule();
          }),
        ),
      created: async (id) => this.#creating.get(id),
      unsavedSteps: (id) => this.#unsavedSteps.of(id),
    };
  }

  /** Resumes what the last daemon left queued or running, oldest first, and starts serving the queue. */
  async start(): Promise<void> {
    this.#accepting = true;
    this.#queue.listen({
      hasSlot: () => this.#accepting && this.#active.size < this.#options.config.runs.concurrency,
      start: (id) => this.#startExecution(id),
      cancel: (id) => this.#stopHere(id, 'cancel', new AbortError('the run was cancelled')),
      lost: (id) => this.#stopHere(id, 'lost', new AbortError("this member's lease on the run expired")),
    });
    // The cluster's queue holds what is waiting, and the runs of a dead member come back through it.
    if (!this.#shared) await this.#resumeUnfinished();
    this.#queue.schedule();
  }

  async #resumeUnfinished(): Promise<void> {
    const unfinished = await this.#options.runs.unfinished();
    for (const summary of unfinished) {
      await this.#locks.serialized(summary.id, async () => {
        try {
          await this.#requeueStored(summary.id, { resumed: true });
        } catch (error) {
          await failCrashed(summary.id, error, this.#options);
        }
      });
    }
    if (unfinished.length > 0)
      this.#options.logger.info({ runs: unfinished.map((summary) => summary.id) }, 'resuming unfinished runs');
  }

  async submit(request: SubmitRequest): Promise<Run> {
    const run = newRun(request, this.#options.config);
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
      await this.#queue.remove(run.id);
      await saved.catch(() => undefined);
      // Refused as a whole: nothing of the run stays behind to be listed or resumed.
      await this.#options.runs
        .discard(run.id)
        .catch((discardError: unknown) =>
          this.#options.logger.warn({ err: discardError, runId: run.id }, 'cannot remove the refused run'),
        );
      throw error;
    }
    this.#queue.schedule();
    return run;
  }

  /** One page of the run list, newest first, with the live status and cost of the runs executing here. */
  list(page: RunPageRequest = { limit: DEFAULT_RUN_PAGE }): Promise<RunPage> {
    return this.#listing.list(page);
  }

  /** The page as encoded JSON (`{"runs": [...], "next"?}`), read again only when something listed has changed. */
  listJson(page: RunPageRequest = { limit: DEFAULT_RUN_PAGE }): Promise<Buffer> {
    return this.#listing.json(page);
  }

  /** The run as it stands, with usage straight from the ledger. */
  async get(id: string): Promise<Run> {
    const recorder = this.#active.get(id)?.recorder;
    const run = recorder ? structuredClone(recorder.run) : await this.#options.runs.get(id);
    const shared = await sharedRunUsage(this.#shared, this.#options.logger, id);
    if (shared) return { ...run, usage: shared };
    // The ledger keeps the totals of recent runs only; an older run's record holds its final usage.
    const ledger = this.#options.gateway.ledger;
    return { ...run, usage: recorder || ledger.hasRun(id) ? ledger.runUsage(id) : run.usage };
  }

  get activeCount(): number {
    return this.#active.size;
  }

  get queuedCount(): number {
    return this.#queue.waiting;
  }

  /** Ids of the runs being executed (or about to be). */
  get activeIds(): readonly string[] {
    return [...this.#active.keys()];
  }

  /** Ids of the runs waiting for a slot, first to start first (in a cluster: none, the queue is Redis's). */
  get queuedIds(): readonly string[] {
    return this.#queue.waitingIds;
  }

  /** Cancels a queued or running run; its LLM and network calls are aborted at once. */
  cancel(id: string): Promise<Run> {
    return this.#locks.serialized(id, async () => {
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
      const unfinished = run.status === 'queued' || run.status === 'running';
      const waiting = unfinished && (await this.#queue.remove(id));
      const shared = this.#shared;
      if (shared && unfinished && !waiting) {
        const holder = await shared.holder(id);
        if (holder !== undefined && holder !== shared.member) {
          const { runs, logger } = this.#options;
          await cancelElsewhere(id, {
            shared,
            runs,
            logger,
            writeCancelled: (stored, when) => this.#writeCancelled(stored, when),
          });
          return this.get(id);
        }
      }
      // A run paused by a full disk stops waiting: it is cancelled instead.
      const paused = this.#waitingForSpace.stop(id);
      // A run taken back from the cluster's queue after its member died may still say `running`.
      if (run.status !== 'queued' && !paused && !(shared && run.status === 'running'))
        throw new ConflictError(`run ${id} is ${run.status}: only queued or running runs can be cancelled`);
      await this.#writeCancelled(run, paused ? 'waiting for space' : run.status === 'queued' ? 'queued' : undefined);
      return this.get(id);
    });
  }

  /** Queues a failed or cancelled run again; it continues from its persisted steps. */
  resume(id: string): Promise<Run> {
    return this.#locks.serialized(id, async () => {
      const active = this.#active.get(id);
      if (active) {
        // Only an execution already ending failed or cancelled is waited for (it may still be writing its end);
        // a run still working is refused at once, never waited for while holding the lock `cancel` needs.
        const status = active.recorder?.run.status ?? 'queued';
        if (!endsResumable(active, status))
          throw new ConflictError(`run ${id} is ${status}: only failed or cancelled runs can be resumed`);
        await active.done;
      }
      const run = structuredClone(await this.#options.runs.get(id));
      if (run.status !== 'failed' && run.status !== 'cancelled')
        throw new ConflictError(`run ${id} is ${run.status}: only failed or cancelled runs can be resumed`);
      transition(run, 'queued');
      const saved = this.#options.runs.save(run);
      const queued = this.#enqueue(id, { resumed: true }, saved);
      await saved;
      await queued;
      this.#queue.schedule();
      return this.get(id);
    });
  }

  /**
   * A run that nothing executes ends `cancelled`, its status and event written in the same tick; `when` is
   * absent for a run whose member died while executing it.
   */
  async #writeCancelled(stored: Run, when: 'queued' | 'waiting for space' | undefined): Promise<void> {
    const cancelled = structuredClone(stored);
    const type = transition(cancelled, 'cancelled');
    const saved = this.#options.runs.save(cancelled);
    this.#options.events.emit(stored.id, type, when ? { while: when } : {});
    await saved;
  }

  /** Stops a run this member executes, for a reason given by the cluster. */
  #stopHere(id: string, reason: 'cancel' | 'lost', error: Error): void {
    const active = this.#active.get(id);
    if (!active || active.stopping) return;
    active.stopping = reason;
    active.controller.abort(error);
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
    this.#waitingForSpace.clear();
    const stopping = [...this.#active.values()];
    for (const active of stopping) {
      active.stopping ??= 'shutdown';
      active.controller.abort(new AbortError('the daemon is stopping'));
    }
    await Promise.all(stopping.map((active) => active.done));
    await this.#unsavedSteps.writeAll(this.#options.runs, this.#options.logger);
  }

  /**
   * Puts a run at the end of the queue, with its `run-queued` event in the same tick. In a cluster the run
   * enters the cluster's queue once `saved` (its record) is written, so no member takes a run it cannot read;
   * its place in that queue is not known here, so the event has no `position`.
   */
  #enqueue(
    id: string,
    data: Omit<RunEventData<'run-queued'>, 'position'>,
    saved: Promise<void> = Promise.resolve(),
  ): Promise<void> {
    const { position, queued } = this.#queue.push(id, saved);
    this.#options.events.emit(id, 'run-queued', position === undefined ? data : { ...data, position });
    return queued;
  }

  #startExecution(id: string): void {
    const controller = new AbortController();
    // Every concurrent call of the run (LLM, page, search) listens to this one signal.
    setMaxListeners(0, controller.signal);
    const entry: ActiveRun = { controller, recorder: undefined, done: Promise.resolve() };
    this.#active.set(id, entry);
    entry.done = inRunScope(id, () => executeRun(id, entry, this.#execution))
      .catch((error: unknown) => failCrashed(id, error, this.#options))
      // The lease ends with the execution (a no-op when the run was given back or taken over).
      .then(() => this.#queue.release(id))
      .catch((error: unknown) => this.#options.logger.warn({ err: error, runId: id }, 'cluster: lease not ended'))
      .finally(() => {
        this.#unsavedSteps.ended(id, entry.recorder?.run.status);
        if (this.#active.get(id) === entry) this.#active.delete(id);
        this.#options.events.release(id);
        this.#queue.schedule();
      });
  }

  /** Queues a stored run again, with its event (a `running` one waits as `queued`); not one that has ended. */
  async #requeueStored(id: string, data: Omit<RunEventData<'run-queued'>, 'position'>): Promise<void> {
    const run = structuredClone(await this.#options.runs.get(id));
    // The record is the truth: a crash between writing it and its summary can leave the summary behind.
    if (run.status !== 'queued' && run.status !== 'running') {
      await this.#options.runs.save(run);
      return;
    }
    // A crash between an execution's terminal event and its record: the run had ended, and only its record
    // is written now; executing it again would replay every step and tell its followers a second execution.
    const ended = await endedInLog(this.#options.runs, id);
    if (ended) {
      endAsLogged(run, ended);
      await this.#options.runs.save(run);
      this.#options.logger.info({ runId: id, status: run.status }, 'run had ended before the crash: record written');
      return;
    }
    // Waiting for a slot, it is `queued` whatever brought it there, and can be cancelled as such.
    if (run.status === 'running') transition(run, 'queued');
    const saved = this.#options.runs.save(run);
    const queued = this.#enqueue(id, data, saved);
    await saved;
    await queued;
  }
}

/** Whether an execution has ended, or is ending, in a status `resume` accepts (failed or cancelled). */
function endsResumable(active: ActiveRun, status: Run['status']): boolean {
  if (status === 'failed' || status === 'cancelled') return true;
  return active.stopping === 'cancel' || (active.crash !== undefined && active.stopping === undefined);
}
