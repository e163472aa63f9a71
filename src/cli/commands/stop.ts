import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/load-config.js';
import { isProcessAlive, readDaemonState, removeDaemonState } from '../../daemon/state-files.js';
import { ExitCode, type Output } from '../output.js';

/** How long a graceful stop may take before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/** `agentd stop`: SIGTERM (the daemon checkpoints its runs and closes), then SIGKILL after 10 s. */
export async function stopCommand(config: Config, output: Output): Promise<number> {
  const state = readDaemonState(config.dataDir);
  if (!state || !isProcessAlive(state.pid)) {
    if (state) removeDaemonState(config.dataDir, state.pid);
    output.out('agentd is not running');
    return ExitCode.ok;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isProcessAlive(state.pid)) {
      output.out(`agentd stopped (pid ${state.pid})`);
      return ExitCode.ok;
    }
    await sleep(50);
  }
  process.kill(state.pid, 'SIGKILL');
  removeDaemonState(config.dataDir, state.pid);
  output.error(
    `agentd did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed (pid ${state.pid}); its runs resume at the next start`,
  );
  return ExitCode.failure;
}
