import type { Logger } from '../logger.js';
import type { RunStorage } from '../store/run-storage.js';
import type { Run } from '../types/run-record.js';
import type { SharedRunQueue } from './run-queue.js';

/** How long a cancel waits for the member executing the run to end it. */
const REMOTE_CANCEL_WAIT_MS = 30_000;

/**
 * Cancels a run another member holds: asks it to (the request stays in Redis, so whichever member takes the
 * run next ends it cancelled), and waits (bounded) for the run to end. A holder that died is not waited for:
 * once its lease has expired this member takes the run over, or out of the queue, and `writeCancelled` ends it.
 */
export async function cancelElsewhere(
  id: string,
  options: {
    shared: SharedRunQueue;
    runs: RunStorage;
    logger: Logger;
    writeCancelled: (run: Run, when: 'queued' | undefined) => Promise<void>;
  },
): Promise<void> {
  const { shared, runs } = options;
  await shared.requestCancel(id);
  const deadline = Date.now() + REMOTE_CANCEL_WAIT_MS;
  for (;;) {
    const run = await runs.get(id);
    if ((run.status !== 'running' && run.status !== 'queued') || Date.now() > deadline) return;
    const when = run.status === 'queued' ? 'queued' : undefined;
    if (await shared.remove(id)) {
      await options.writeCancelled(run, when);
      return;
    }
    if (await shared.takeOver(id)) {
      try {
        await options.writeCancelled(run, when);
      } finally {
        await shared.release(id);
      }
      options.logger.info({ runId: id, member: run.member }, 'cluster: run of a lost member cancelled here');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
