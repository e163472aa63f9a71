import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The files a running daemon leaves in its data dir: `agentd.pid` (the pid, for tools that expect one),
 * `daemon.json` (pid, URL and start time, for the CLI), `agentd.log` (structured log) and `daemon.out`
 * (what the process printed, where a failed start explains itself).
 */
export const stateFiles = (dataDir: string) => ({
  pid: path.join(dataDir, 'agentd.pid'),
  state: path.join(dataDir, 'daemon.json'),
  log: path.join(dataDir, 'agentd.log'),
  output: path.join(dataDir, 'daemon.out'),
});

const daemonStateSchema = z.object({
  pid: z.number().int(),
  url: z.string(),
  startedAt: z.string(),
  version: z.string(),
});
export type DaemonState = z.infer<typeof daemonStateSchema>;

export function writeDaemonState(dataDir: string, state: DaemonState): void {
  const files = stateFiles(dataDir);
  writeFileSync(files.pid, `${state.pid}\n`, { mode: 0o600 });
  writeFileSync(files.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function readDaemonState(dataDir: string): DaemonState | undefined {
  try {
    return daemonStateSchema.parse(JSON.parse(readFileSync(stateFiles(dataDir).state, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Removes the pid and state files, but only if they still describe `pid` (a newer daemon may own them). */
export function removeDaemonState(dataDir: string, pid?: number): void {
  const files = stateFiles(dataDir);
  if (pid !== undefined) {
    const current = readDaemonState(dataDir);
    if (current && current.pid !== pid) return;
  }
  rmSync(files.pid, { force: true });
  rmSync(files.state, { force: true });
}

/** Whether a process with this pid exists and is not a zombie (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means "alive".
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A killed daemon whose parent is gone stays a zombie where PID 1 does not reap orphans (many containers):
 * signal 0 still succeeds, but the process is dead. Linux tells by the state in /proc/PID/stat.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
