import type { Logger } from '../logger.js';
import { scrubSecrets } from '../secrets.js';
import type { AppendLog } from '../store/append-log.js';
import type { RunStore } from '../store/run-store.js';
import {
  type RunEvent,
  type RunEventData,
  type RunEventType,
  storedRunEventSchema,
  type TerminalEventType,
} from '../types/run-events.js';

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
 * Run events: numbered per run (`seq` 1, 2, 3...), appended to the run's `events.jsonl` before anyone sees
 * them, then handed to live listeners (one run's, or every run's). Listeners must not block: the WebSocket
 * layer gives each client a bounded buffer of its own.
 */
export class EventBus {
  readonly #runs: RunStore;
  readonly #logger: Logger;
  readonly #logs = new Map<string, { log: AppendLog<RunEvent>; seq: number }>();
  readonly #listeners = new Map<string, Set<EventListener>>();
  readonly #all = new Set<EventListener>();

  constructor(runs: RunStore, logger: Logger) {
    this.#runs = runs;
    this.#logger = logger;
  }

  emit<T extends RunEventType>(runId: string, type: T, data: RunEventData<T>): RunEvent {
    const entry = this.#open(runId);
    // Event data may quote provider or page errors; keys must not travel with them.
    const clean = JSON.parse(scrubSecrets(JSON.stringify(data))) as RunEventData<T>;
    // The generic pair (type, data) is one member of the union; TypeScript cannot correlate them itself.
    const event = { seq: entry.seq + 1, runId, at: new Date().toISOString(), type, data: clean } as RunEvent;
    entry.log.append(event);
    entry.seq = event.seq;
    for (const listener of [...(this.#listeners.get(runId) ?? []), ...this.#all]) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.warn({ err: error, runId }, 'event listener failed');
      }
    }
    return event;
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
   * The run's persisted events with `seq` > `since`. Read by their envelope (storedRunEventSchema): this
   * version wrote them from the typed union, an older one may have written fewer fields.
   */
  replay(runId: string, since = 0): RunEvent[] {
    return this.#runs
      .readEvents<RunEvent>(runId, (value) => storedRunEventSchema.parse(value) as RunEvent)
      .filter((event) => event.seq > since);
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
    this.#logs.delete(runId);
    this.#runs.release(runId);
  }

  #open(runId: string): { log: AppendLog<RunEvent>; seq: number } {
    let entry = this.#logs.get(runId);
    if (!entry) {
      const { log, entries } = this.#runs.events<RunEvent>(
        runId,
        (value) => storedRunEventSchema.parse(value) as RunEvent,
      );
      entry = { log, seq: entries.at(-1)?.seq ?? 0 };
      this.#logs.set(runId, entry);
    }
    return entry;
  }
}
