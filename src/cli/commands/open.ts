import { spawn } from 'node:child_process';
import type { Config } from '../../config/load-config.js';
import { DaemonClient } from '../daemon-client.js';
import { ExitCode, type Output } from '../output.js';

/** How long a browser opener that cannot open anything takes to say so by exiting (xdg-open: at once). */
const OPENER_FAILS_WITHIN_MS = 2_000;

/** The platform's "open this URL in the default browser" command. */
function browserOpener(url: string): { command: string; args: string[] } {
  if (process.platform === 'darwin') return { command: 'open', args: [url] };
  // `start` treats its first quoted argument as a window title, hence the empty one.
  if (process.platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * `agentd open [--print]`: asks the daemon for a one-time login link (one use, 5 minutes) and opens it in
 * the default browser, which exchanges it for a session cookie; `--print` prints the link instead. The
 * bearer token stays with the CLI.
 */
export async function openCommand(config: Config, options: { print: boolean }, output: Output): Promise<number> {
  const client = new DaemonClient(config);
  const login = await client.request<{ path: string; expiresAt: string }>('POST', '/v1/dashboard/login');
  const url = `${client.baseURL}${login.path}`;
  if (options.print) {
    output.out(url);
    return ExitCode.ok;
  }
  const { command, args } = browserOpener(url);
  const opened = await new Promise<boolean>((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      // xdg-open on a machine without a browser or a display (a server over SSH) starts, then exits non-zero
      // at once ("no method available"): that is a failure to say, with the link. One that is still running
      // after a moment (a browser it waits for) or exited 0 has opened it.
      const settled = setTimeout(() => {
        child.removeAllListeners('exit');
        child.unref();
        resolve(true);
      }, OPENER_FAILS_WITHIN_MS);
      child.once('exit', (code) => {
        clearTimeout(settled);
        resolve(code === 0);
      });
    });
  });
  if (!opened) {
    output.error(
      `agentd open: ${command} could not open a browser; open this one-time link in your browser (valid 5 minutes):`,
    );
    output.out(url);
    return ExitCode.failure;
  }
  output.out(`opened the dashboard at ${client.baseURL} in your browser`);
  return ExitCode.ok;
}
