import type { Logger } from '../logger.js';
import { scrubSecrets } from '../secrets.js';
import type { EventDraft, RunStorage } from '../store/run-storage.js';
import type { RunEvent, RunEventData, RunEventType, TerminalEventType } from '../types/run-events.js';

export type EventListener = (event: RunEvent) => void;

/**
 * The events of one execution of a run (from its `run-started` to its terminal event). Once `end` has
 * written the terminal event, or `close` has sealed it at a checkpoint, the execution's events are refused:
 * nothing of that execution follows its end.
 */
export interface RunExecution {
  readonly runId: string;
  /** True once the execution has ended: every later `emit` is refused. */
  readonly ended: boolean;
  /** Writes an event of this execution; undefined (and nothing written) once it has ended. */
  emit<T extends RunEventType>(type: T, data: RunEventData<T>): RunEvent | undefined;
  /** Writes the terminal event and seals the execution. */
  end<T extends TerminalEventType>(type: T, data: RunEventData<T>): RunEvent | undefined;
  /** Seals the execution without an event (a checkpoint on stop: the run resumes at the next start). */
  close(): void;
}

/**
 * Run events: numbered per run (`seq` 1, 2, 3...) and persisted by the run storage before anyone sees them,
 * then handed to live listeners (one run's, or every run's). With the local store that happens in `emit`;
 * with the cluster's, Redis numbers and stores the event and every member's bus hears it back (from whichever
 * member emitted it). Listeners must not block: the WebSocket layer gives each client a bounded buffer.
 */
export class EventBus {
  readonly #runs: RunStorage;
  readonly #logger: Logger;
  readonly #listeners = new Map<string, Set<EventListener>>();
  readonly #all = new Set<EventListener>();
  readonly #unwatch: () => void;

  constructor(runs: RunStorage, logger: Logger) {
    this.#runs = runs;
    this.#logger = logger;
    this.#unwatch = runs.watchEvents((event) => this.#deliver(event));
  }

  /** Persists and publishes an event; returns it when the storage numbered it at once (the local store). */
  emit<T extends RunEventType>(runId: string, type: T, data: RunEventData<T>): RunEvent | undefined {
    // Event data may quote provider or page errors; keys must not travel with them.
    const clean = JSON.parse(scrubSecrets(JSON.stringify(data))) as RunEventData<T>;
    // The generic pair (type, data) is one member of the union; TypeScript cannot correlate them itself.
    const draft = { runId, at: new Date().toISOString(), type, data: clean } as EventDraft;
    const event = this.#runs.appendEvent(draft);
    if (event) this.#deliver(event);
    return event;
  }

  #deliver(event: RunEvent): void {
    const runId = event.runId;
    for (const listener of [...(this.#listeners.get(runId) ?? []), ...this.#all]) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.warn({ err: error, runId }, 'event listener failed');
      }
    }
  }

  /** A new execution of the run, whose events stop at its end. */
  execution(runId: string): RunExecution {
    let ended = false;
    const emit = <T extends RunEventType>(type: T, data: RunEventData<T>): RunEvent | undefined => {
      if (ended) {
        this.#logger.debug({ runId, type }, 'event after the end of its execution refused');
        return undefined;
      }
      return this.emit(runId, type, data);
    };
    return {
      runId,
      get ended() {
        return ended;
      },
      emit,
      end: (type, data) => {
        const event = emit(type, data);
        ended = true;
        return event;
      },
      close: () => {
        ended = true;
      },
    };
  }

  /**
   * The run's persisted events with `seq` > `since`. The storage reads them by their envelope
   * (storedRunEventSchema): this version wrote them from the typed union, an older one may have written fewer
   * fields.
   */
  async replay(runId: string, since = 0): Promise<RunEvent[]> {
    return (await this.#runs.readEvents(runId)).filter((event) => event.seq > since);
  }

  /** Listens to one run's events, or every run's when `runId` is undefined. Returns the unsubscribe. */
  subscribe(listener: EventListener, runId?: string): () => void {
    if (runId === undefined) {
      this.#all.add(listener);
      return () => this.#all.delete(listener);
    }
    let set = this.#listeners.get(runId);
    if (!set) {
      set = new Set();
      this.#listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(runId);
    };
  }

  /** The run is finished: its log can be closed (it reopens for replays). */
  release(runId: string): void {
    this.#runs.release(runId);
  }

  /** Stops hearing the storage's events. */
  close(): void {
    this.#unwatch();
  }
}
