import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Config } from '../config/load-config.js';
import { AgentdError, BadRequestError, ConflictError, errorMessage } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import type { Logger } from '../logger.js';
import type { Plugins } from '../plugins/load-plugins.js';
import { DEFAULT_TEAM, roleFactories } from '../roles/index.js';
import type { FileCache } from '../store/file-cache.js';
import type { RunStore } from '../store/run-store.js';
import type { GenerateResult } from '../gateway/gateway.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import { Team } from '../team/team.js';
import type { EventBus } from './event-bus.js';
import { createRunContext } from './run-context.js';
import { emptyUsage, type Run, type RunSummary } from './run-record.js';
import { RunRecorder } from './run-recorder.js';
import { RunSteps } from './run-steps.js';

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
      this.#queue.push(summary.id);
      this.#options.events.emit(summary.id, 'run-queued', { resumed: true, position: this.#queue.length });
    }
    if (unfinished.length > 0) this.#options.logger.info({ runs: unfinished.map((summary) => summary.id) }, 'resuming unfinished runs');
    this.#schedule();
  }

  async submit(request: SubmitRequest): Promise<Run> {
    const team = request.team ?? [...DEFAULT_TEAM];
    const unknown = team.filter((name) => !(name in roleFactories));
    if (unknown.length > 0) throw new BadRequestError(`unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} in team (roles: ${Object.keys(roleFactories).join(', ')})`);
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
    await this.#options.runs.save(run);
    this.#queue.push(run.id);
    this.#options.events.emit(run.id, 'run-queued', { topic: run.topic, language: run.language, position: this.#queue.length });
    this.#schedule();
    return run;
  }

  list(): RunSummary[] {
    return this.#options.runs.list().map((summary) => {
      const recorder = this.#active.get(summary.id)?.recorder;
      return recorder ? { ...summary, status: recorder.run.status, costUsd: this.#options.gateway.ledger.runUsage(summary.id).costUsd, sourceCount: recorder.run.sources.length } : summary;
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
    if (this.#listCache?.key !== key) this.#listCache = { key, body: Buffer.from(JSON.stringify({ runs: this.list() })) };
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

  /** Cancels a queued or running run; its LLM and network calls are aborted at once. */
  async cancel(id: string): Promise<Run> {
    const active = this.#active.get(id);
    if (active) {
      active.stopping = 'cancel';
      active.controller.abort(new Error('cancelled'));
      await active.done;
      return this.get(id);
    }
    const run = await this.#options.runs.get(id);
    if (run.status !== 'queued') throw new ConflictError(`run ${id} is ${run.status}: only queued or running runs can be cancelled`);
    this.#queue.splice(this.#queue.indexOf(id), 1);
    await this.#options.runs.save({ ...run, status: 'cancelled', finishedAt: new Date().toISOString() });
    this.#options.events.emit(id, 'run-cancelled', { while: 'queued' });
    return this.get(id);
  }

  /** Queues a failed or cancelled run again; it continues from its persisted steps. */
  async resume(id: string): Promise<Run> {
    // A run that has just failed may still be finishing its previous execution: let it end first.
    await this.#active.get(id)?.done;
    const run = await this.#options.runs.get(id);
    if (run.status !== 'failed' && run.status !== 'cancelled') throw new ConflictError(`run ${id} is ${run.status}: only failed or cancelled runs can be resumed`);
    const resumed: Run = { ...run, status: 'queued' };
    delete resumed.finishedAt;
    delete resumed.failure;
    await this.#options.runs.save(resumed);
    this.#queue.push(id);
    this.#options.events.emit(id, 'run-queued', { resumed: true, position: this.#queue.length });
    this.#schedule();
    return this.get(id);
  }

  /** Stops serving: running runs are checkpointed (left `running`, with their steps on disk) for the next start. */
  async close(): Promise<void> {
    this.#accepting = false;
    const stopping = [...this.#active.values()];
    for (const active of stopping) {
      active.stopping = 'shutdown';
      active.controller.abort(new Error('daemon stopping'));
    }
    await Promise.all(stopping.map((active) => active.done));
  }

  #schedule(): void {
    while (this.#accepting && this.#active.size < this.#options.config.runs.concurrency && this.#queue.length > 0) {
      const id = this.#queue.shift() as string;
      const controller = new AbortController();
      // Every concurrent call of the run (LLM, page, search) listens to this one signal.
      setMaxListeners(0, controller.signal);
      const entry: ActiveRun = { controller, recorder: undefined, done: Promise.resolve() };
      this.#active.set(id, entry);
      entry.done = this.#execute(id, entry).catch((error: unknown) => this.#options.logger.error({ err: error, runId: id }, 'run execution crashed'));
    }
  }

  async #execute(id: string, active: ActiveRun): Promise<void> {
    const { runs, events, gateway, plugins, logger } = this.#options;
    try {
      const run = await runs.get(id);
      const recorder = new RunRecorder(run, runs, logger);
      active.recorder = recorder;
      const stored = runs.steps(id);
      const steps = new RunSteps(stored.log, stored.entries);
      await recorder.update((record) => {
        record.status = 'running';
        record.startedAt ??= new Date().toISOString();
      });
      events.emit(id, 'run-started', { resumed: steps.size > 0, stepsStored: steps.size, team: run.team });
      try {
        const roles = run.team.map((name) => (roleFactories[name] as (typeof roleFactories)[string])(run.team));
        const context = createRunContext({ run: recorder.run, gateway, plugins, steps, recorder, events, signal: active.controller.signal, llmCache: this.#options.llmCache });
        await new Team(roles, context).run(createMessage({ content: run.topic, payload: { topic: run.topic }, role: 'user', causeBy: USER_REQUIREMENT }));
        const usage = gateway.ledger.runUsage(id);
        // The status changes and the event goes out in the same tick: nobody sees one without the other.
        const saved = recorder.update((record) => {
          record.status = 'completed';
          record.finishedAt = new Date().toISOString();
          record.usage = usage;
        });
        events.emit(id, 'run-completed', { usage, sources: recorder.run.sources.length, errors: recorder.run.errors.length, replayedSteps: steps.replayed });
        await saved;
      } catch (error) {
        await this.#finishWithError(id, active, error);
      }
    } finally {
      if (this.#active.get(id) === active) this.#active.delete(id);
      events.release(id);
      this.#schedule();
    }
  }

  async #finishWithError(id: string, active: ActiveRun, error: unknown): Promise<void> {
    const { events, gateway, logger } = this.#options;
    const recorder = active.recorder as RunRecorder;
    const usage = gateway.ledger.runUsage(id);
    if (active.stopping === 'shutdown') {
      // Checkpoint: the record stays `running`; its steps are on disk, and the next start resumes it.
      await recorder.update((record) => (record.usage = usage));
      logger.info({ runId: id }, 'run checkpointed for the next start');
      return;
    }
    if (active.stopping === 'cancel') {
      const saved = recorder.update((record) => {
        record.status = 'cancelled';
        record.finishedAt = new Date().toISOString();
        record.usage = usage;
      });
      events.emit(id, 'run-cancelled', { usage });
      await saved;
      return;
    }
    const code = error instanceof AgentdError ? error.code : 'AGENTD_ERR_INTERNAL';
    logger.warn({ err: error, runId: id }, 'run failed');
    const saved = recorder.update((record) => {
      record.status = 'failed';
      record.finishedAt = new Date().toISOString();
      record.usage = usage;
      record.failure = { code, message: errorMessage(error) };
    });
    events.emit(id, 'run-failed', { code, message: errorMessage(error), usage });
    await saved;
  }
}

/** Time-ordered, URL-safe ids: sortable, and unguessable enough for a local daemon. */
function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}
