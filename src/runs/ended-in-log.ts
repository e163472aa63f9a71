import type { RunStorage } from '../store/run-storage.js';
import { isTerminalEvent, type RunEvent } from '../types/run-events.js';
import { type Run, usageSchema } from '../types/run-record.js';

/**
 * The terminal event that ended the run's last execution, when its record was not written after it: an
 * execution writes its terminal event, then its record, and a crash (kill -9, power loss) can fall between
 * the two. The log is the later truth then: a `run-queued` or `run-started` after the last terminal event
 * means another execution began, and undefined is answered.
 */
export async function endedInLog(runs: RunStorage, id: string): Promise<RunEvent | undefined> {
  const events = await runs.readEvents(id);
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index] as RunEvent;
    if (isTerminalEvent(event)) return event;
    if (event.type === 'run-queued' || event.type === 'run-started') return undefined;
  }
  return undefined;
}

const ENDED_STATUS = { 'run-completed': 'completed', 'run-failed': 'failed', 'run-cancelled': 'cancelled' } as const;

/**
 * Gives `run` the end its terminal event says (status, time, failure, usage) without executing anything again.
 * The stored events are read by their envelope only (an older version may have written other data), so the
 * data is taken only where it has the expected shape.
 */
export function endAsLogged(run: Run, event: RunEvent): void {
  if (!isTerminalEvent(event)) return;
  run.status = ENDED_STATUS[event.type];
  run.finishedAt = event.at;
  const data = event.data as Record<string, unknown>;
  const usage = usageSchema.safeParse(data.usage);
  if (usage.success) run.usage = usage.data;
  if (event.type === 'run-failed' && typeof data.code === 'string' && typeof data.message === 'string')
    run.failure = { code: data.code, message: data.message };
}
