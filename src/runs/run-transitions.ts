import { ConflictError } from '../errors.js';
import type { RunEventType } from '../types/run-events.js';
import type { Run, RunStatus } from './run-record.js';

/**
 * The one table of a run's status changes. `running → queued` is a run resumed at start, waiting for a slot;
 * `failed`/`cancelled → queued` is a resume; `completed` is final.
 */
const ALLOWED: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'queued'],
  completed: [],
  failed: ['queued'],
  cancelled: ['queued'],
};

/** The event each status is entered with. */
const STATUS_EVENT = {
  queued: 'run-queued',
  running: 'run-started',
  completed: 'run-completed',
  failed: 'run-failed',
  cancelled: 'run-cancelled',
} as const satisfies Readonly<Record<RunStatus, RunEventType>>;

/** The event type a run entering status `S` is reported with. */
export type StatusEvent<S extends RunStatus> = (typeof STATUS_EVENT)[S];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * Changes `run`'s status in place (with its timestamps) if the table allows it, and returns the event type
 * the caller writes in the same tick, so that nobody sees the status without its event.
 */
export function transition<S extends RunStatus>(run: Run, to: S, now: Date = new Date()): StatusEvent<S> {
  if (!canTransition(run.status, to)) throw new ConflictError(`run ${run.id} is ${run.status}: it cannot become ${to}`);
  run.status = to;
  if (to === 'running') run.startedAt ??= now.toISOString();
  if (to === 'queued') {
    delete run.finishedAt;
    delete run.failure;
  }
  if (to === 'completed' || to === 'failed' || to === 'cancelled') run.finishedAt = now.toISOString();
  return STATUS_EVENT[to];
}
