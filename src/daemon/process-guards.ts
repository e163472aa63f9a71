import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunManager } from '../runs/run-manager.js';
import { currentRunId } from '../runs/run-scope.js';

/**
 * The process's last line of defence: a promise that rejects with nobody listening (a plugin's bug, a
 * library's stray timer) is logged with the run it belongs to, and fails that run; the daemon carries on.
 * Node's default would end the process, and with it every other run and client. Returns the uninstall.
 */
export function installProcessGuards(options: { logger: Logger; runs: RunManager }): () => void {
  const onRejection = (reason: unknown) => {
    const runId = currentRunId();
    options.logger.error({ err: reason, runId }, 'unhandled rejection');
    if (runId !== undefined)
      options.runs.failFromCrash(runId, new Error(`unhandled rejection: ${errorMessage(reason)}`, { cause: reason }));
  };
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
