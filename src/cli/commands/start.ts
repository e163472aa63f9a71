import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/load-config.js';
import { exitOnSignals, runDaemon } from '../../daemon/run-daemon.js';
import { isProcessAlive, readDaemonState, removeDaemonState, stateFiles } from '../../daemon/state-files.js';
import { errorMessage } from '../../errors.js';
import { DaemonClient } from '../daemon-client.js';
import { ExitCode, type Output } from '../output.js';

/** How long `agentd start` waits for a new daemon's `/health`. */
const START_TIMEOUT_MS = 20_000;
const BIN = fileURLToPath(new URL('../../../../bin/agentd.js', import.meta.url));

export interface StartOptions {
  config: Config;
  /** The `--config` given, passed on to the background process. */
  configFile: string | undefined;
  foreground: boolean;
  output: Output;
}

export async function startCommand(options: StartOptions): Promise<number> {
  const { config, output } = options;
  const running = await findRunningDaemon(config, output);
  if (running) {
    output.out(`agentd is already running at ${running.url} (pid ${running.pid})`);
    return ExitCode.ok;
  }
  return options.foreground ? startForeground(config, output) : startBackground(options);
}

/** The daemon of this data dir when one is alive; cleans up a stale pid file left by a crash. */
async function findRunningDaemon(config: Config, output: Output): Promise<{ pid: number; url: string } | undefined> {
  const state = readDaemonState(config.dataDir);
  if (!state) return undefined;
  if (!isProcessAlive(state.pid)) {
    removeDaemonState(config.dataDir, state.pid);
    output.error(`removed a stale pid file (pid ${state.pid} is not running)`);
    return undefined;
  }
  const client = new DaemonClient(config);
  if (await client.isHealthy(2_000)) return { pid: state.pid, url: state.url };
  // Alive but silent: possibly a pid reused by an unrelated process after a crash. Do not kill what we did not start.
  output.error(
    `pid ${state.pid} from ${stateFiles(config.dataDir).pid} is alive but does not answer at ${state.url}; treating the pid file as stale`,
  );
  removeDaemonState(config.dataDir, state.pid);
  return undefined;
}

async function startForeground(config: Config, output: Output): Promise<number> {
  try {
    const daemon = await runDaemon(config, { logToStdout: false });
    exitOnSignals(daemon);
    output.out(`agentd listening on ${daemon.url} (pid ${process.pid}); log: ${stateFiles(config.dataDir).log}`);
    // Keep the process alive: the server holds the event loop open until a signal closes it.
    return await new Promise<number>(() => {});
  } catch (error) {
    output.error(`agentd: ${errorMessage(error)}`);
    return ExitCode.failure;
  }
}

async function startBackground(options: StartOptions): Promise<number> {
  const { config, output } = options;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const files = stateFiles(config.dataDir);
  const outputFd = openSync(files.output, 'a', 0o600);
  const offset = statSync(files.output).size;
  const args = [BIN, 'start', '--foreground', ...(options.configFile ? ['--config', options.configFile] : [])];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', outputFd, outputFd],
    env: process.env,
  });
  closeSync(outputFd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      output.error(
        printedSince(files.output, offset) || `agentd: the daemon exited with code ${exited} (see ${files.output})`,
      );
      return ExitCode.failure;
    }
    const state = readDaemonState(config.dataDir);
    if (state && state.pid === child.pid && (await new DaemonClient(config).isHealthy(1_000))) {
      output.out(`agentd started at ${state.url} (pid ${state.pid})`);
      return ExitCode.ok;
    }
    await sleep(100);
  }
  output.error(
    `agentd: the daemon did not answer within ${START_TIMEOUT_MS / 1000} s; see ${files.log} and ${files.output}`,
  );
  return ExitCode.failure;
}

function printedSince(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8').trim();
  } catch {
    return '';
  }
}
