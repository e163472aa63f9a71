import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Config } from '../config/load-config.js';
import { errorMessage } from '../errors.js';
import { isProcessAlive, readDaemonState } from '../daemon/state-files.js';
import { fail, ok, type DoctorCheck } from './doctor-types.js';

/** Below this, a data dir fills up within a few hundred runs with their pages and caches. @default 100 MiB */
export const MIN_FREE_BYTES = 100 * 1024 * 1024;

/** The data dir (or the folder it will be created in) is writable and has room. Creates nothing that stays. */
export function checkDataDir(config: Config, minFreeBytes = MIN_FREE_BYTES): DoctorCheck {
  const name = 'data dir';
  let existing = config.dataDir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    if (existing === config.dataDir) {
      // A real write, since permissions alone do not show a read-only mount.
      rmSync(mkdtempSync(path.join(config.dataDir, '.doctor-')), { recursive: true });
    } else {
      accessSync(existing, constants.W_OK);
    }
  } catch (error) {
    return fail(
      name,
      `${config.dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
      `make ${existing} writable for this user, or set dataDir in the config to a folder that is`,
    );
  }
  const stats = statfsSync(existing);
  const free = stats.bavail * stats.bsize;
  const where =
    existing === config.dataDir ? config.dataDir : `${config.dataDir} (created at the first start, in ${existing})`;
  if (free < minFreeBytes)
    return fail(
      name,
      `${where}: only ${formatBytes(free)} free`,
      `free space on that disk (at least ${formatBytes(minFreeBytes)}) or set dataDir to another disk`,
    );
  return ok(name, `${where} is writable, ${formatBytes(free)} free`);
}

/** The port is free, or our own daemon is on it. */
export async function checkPort(config: Config): Promise<DoctorCheck> {
  const name = 'port';
  const { host, port } = config.server;
  if (port === 0) return ok(name, 'server.port is 0: the daemon takes any free port');
  const state = readDaemonState(config.dataDir);
  if (state && isProcessAlive(state.pid) && (await answersAsAgentd(state.url)))
    return ok(name, `agentd is running on it (pid ${state.pid}, ${state.url})`);
  const problem = await tryListen(host, port);
  if (!problem) return ok(name, `${host}:${port} is free`);
  if (problem === 'EADDRINUSE') {
    if (await answersAsAgentd(`http://${host.includes(':') ? `[${host}]` : host}:${port}`))
      return ok(name, `an agentd daemon is running on ${host}:${port} (another data dir than ${config.dataDir})`);
    return fail(
      name,
      `${host}:${port} is in use by another program`,
      `stop that program, or set server.port in the config to a free port`,
    );
  }
  return fail(
    name,
    `cannot listen on ${host}:${port} (${problem})`,
    problem === 'EACCES' ? 'set server.port above 1023' : 'set server.host to an address of this machine (127.0.0.1)',
  );
}

function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

async function answersAsAgentd(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { status?: unknown; version?: unknown };
    return response.ok && body.status === 'ok' && typeof body.version === 'string';
  } catch {
    return false;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}
