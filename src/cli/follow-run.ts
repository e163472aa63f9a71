import WebSocket from 'ws';
import { TERMINAL_EVENT_TYPES, type RunEvent } from '../runs/run-event.js';
import type { DaemonClient } from './daemon-client.js';
import type { Output } from './output.js';
import { forTerminal } from './terminal-text.js';

/** Close codes after which the stream is reopened from the last event seen. */
const RECONNECT_CODES = new Set([1001, 1006, 4008]);

/** What the progress line shows. */
interface Progress {
  stage: string;
  pagesStarted: number;
  pagesDone: number;
  tokens: number;
  costUsd: number;
  waitedMs: number;
  lastWait: string;
}

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
  const progress: Progress = {
    stage: 'queued',
    pagesStarted: 0,
    pagesDone: 0,
    tokens: 0,
    costUsd: 0,
    waitedMs: 0,
    lastWait: '',
  };
  let last = 0;
  let lastLine = '';
  const show = (force = false) => {
    const pages = progress.pagesStarted > 0 ? `, pages ${progress.pagesDone}/${progress.pagesStarted}` : '';
    const waits =
      progress.waitedMs > 0
        ? `, waited ${(progress.waitedMs / 1000).toFixed(1)}s for limits${progress.lastWait ? ` (${progress.lastWait})` : ''}`
        : '';
    const line = `${progress.stage}${pages}, ${progress.tokens} tokens, $${progress.costUsd.toFixed(4)}${waits}`;
    if (line === lastLine && !force) return;
    lastLine = line;
    if (options.isTTY) process.stderr.write(`\r\x1b[2K${forTerminal(line)}`);
    else output.error(line);
  };

  return new Promise<string>((resolve) => {
    let socket: WebSocket | undefined;
    let finished = false;
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
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as RunEvent;
        last = event.seq;
        apply(progress, event);
        show(TERMINAL_EVENT_TYPES.has(event.type));
        if (TERMINAL_EVENT_TYPES.has(event.type)) finish(event.type);
      });
      socket.on('close', (code) => {
        if (finished) return;
        if (RECONNECT_CODES.has(code)) setTimeout(connect, 250);
        else finish(code === 4404 ? 'not-found' : 'disconnected');
      });
      socket.on('error', () => {
        // 'close' follows and decides.
      });
    };
    connect();
  });
}

function apply(progress: Progress, event: RunEvent): void {
  const data = event.data;
  switch (event.type) {
    case 'run-queued':
      progress.stage = 'queued';
      break;
    case 'run-started':
      progress.stage = data.resumed ? 'resumed' : 'started';
      break;
    case 'action-start':
      progress.stage = String(data.action);
      if (data.action === 'WebBrowseAndSummarize') progress.pagesStarted += 1;
      break;
    case 'action-end':
      if (data.action === 'WebBrowseAndSummarize') progress.pagesDone += 1;
      break;
    case 'llm-call':
      progress.tokens += Number(data.tokens ?? 0);
      progress.costUsd += Number(data.costUsd ?? 0);
      break;
    case 'llm-wait':
      progress.waitedMs += Number(data.ms ?? 0);
      progress.lastWait = String(data.reason ?? '');
      break;
    case 'run-completed':
    case 'run-failed':
    case 'run-cancelled':
      progress.stage = event.type.slice(4);
      break;
    default:
      break;
  }
}
