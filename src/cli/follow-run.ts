import WebSocket from 'ws';
import { applyEvent, emptyProgress, progressLine } from '../runs/run-progress.js';
import { isTerminalEvent, type RunEvent } from '../types/run-events.js';
import type { DaemonClient } from './daemon-client.js';
import type { Output } from './output.js';
import { forTerminal } from './terminal-text.js';

/** Close codes after which the stream is reopened from the last event seen. */
const RECONNECT_CODES = new Set([1001, 1006, 4008]);

/**
 * Follows a run's events over the WebSocket and shows progress on standard error (stage, pages done of
 * total, tokens, cost, limiter waits), reconnecting from the last `seq` if the stream drops. Resolves with
 * the terminal event's type, or 'detached' when the user presses Ctrl-C (the run goes on).
 */
export function followRun(
  client: DaemonClient,
  id: string,
  output: Output,
  options: { isTTY: boolean },
): Promise<string> {
  let progress = emptyProgress();
  let last = 0;
  let lastLine = '';
  const show = (force = false) => {
    const line = progressLine(progress);
    if (line === lastLine && !force) return;
    lastLine = line;
    if (options.isTTY) process.stderr.write(`\r\x1b[2K${forTerminal(line)}`);
    else output.error(line);
  };

  return new Promise<string>((resolve) => {
    let socket: WebSocket | undefined;
    let finished = false;
    /** The daemon went away (its socket dropped) and has not answered since. */
    let away = false;
    const finish = (result: string) => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onInterrupt);
      if (options.isTTY) process.stderr.write('\n');
      socket?.close();
      resolve(result);
    };
    const onInterrupt = () => {
      finish('detached');
    };
    process.once('SIGINT', onInterrupt);

    const connect = () => {
      const url = `${client.baseURL.replace(/^http/, 'ws')}/v1/runs/${encodeURIComponent(id)}/events?since=${last}`;
      socket = new WebSocket(url, { headers: client.token ? { authorization: `Bearer ${client.token}` } : {} });
      socket.on('open', () => {
        if (!away) return;
        away = false;
        output.error('the daemon answers again: following on');
      });
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as RunEvent;
        last = event.seq;
        progress = applyEvent(progress, event);
        show(isTerminalEvent(event));
        if (isTerminalEvent(event)) finish(event.type);
      });
      socket.on('close', (code) => {
        if (finished) return;
        if (RECONNECT_CODES.has(code)) {
          // Said once per outage: a frozen progress line would look like a run that hangs.
          if (code !== 4008 && !away) {
            away = true;
            if (options.isTTY) process.stderr.write('\n');
            output.error(
              `the daemon stopped answering (stopped or restarting): waiting for it; run ${forTerminal(id)} goes on once it is back (Ctrl-C detaches)`,
            );
          }
          setTimeout(connect, 250);
        } else finish(code === 4404 ? 'not-found' : 'disconnected');
      });
      socket.on('error', () => {
        // 'close' follows and decides.
      });
    };
    connect();
  });
}
