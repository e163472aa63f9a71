import { ActionName } from '../types/action-names.js';
import type { RunEvent } from '../types/run-events.js';

/**
 * A run's live progress, folded from its events: what `agentd research --follow` prints and the dashboard's
 * run page shows. Pure (no Node, no I/O), so the dashboard bundles it as it is.
 */
export interface RunProgress {
  /** `queued`, `started`/`resumed`, the last action started, then `completed`/`failed`/`cancelled`. */
  stage: string;
  pagesStarted: number;
  pagesDone: number;
  tokens: number;
  costUsd: number;
  /** Rate limiter delay, summed. */
  waitedMs: number;
  /** Why the last wait happened. */
  lastWait: string;
}

export function emptyProgress(): RunProgress {
  return { stage: 'queued', pagesStarted: 0, pagesDone: 0, tokens: 0, costUsd: 0, waitedMs: 0, lastWait: '' };
}

/** The progress after one more event (a new object: the dashboard's state is immutable). */
export function applyEvent(progress: RunProgress, event: RunEvent): RunProgress {
  const next = { ...progress };
  switch (event.type) {
    case 'run-queued':
      next.stage = 'queued';
      break;
    case 'run-started':
      next.stage = event.data.resumed ? 'resumed' : 'started';
      break;
    case 'action-start':
      next.stage = event.data.action;
      if (event.data.action === ActionName.WebBrowseAndSummarize) next.pagesStarted += 1;
      break;
    case 'action-end':
      if (event.data.action === ActionName.WebBrowseAndSummarize) next.pagesDone += 1;
      break;
    case 'llm-call':
      next.tokens += event.data.tokens;
      next.costUsd += event.data.costUsd;
      break;
    case 'llm-wait':
      next.waitedMs += event.data.ms;
      next.lastWait = event.data.reason;
      break;
    case 'run-completed':
    case 'run-failed':
    case 'run-cancelled':
      next.stage = event.type.slice('run-'.length);
      break;
    default:
      break;
  }
  return next;
}

/** The one-line summary the CLI prints: stage, pages done of started, tokens, cost, limiter waits. */
export function progressLine(progress: RunProgress): string {
  const pages = progress.pagesStarted > 0 ? `, pages ${progress.pagesDone}/${progress.pagesStarted}` : '';
  const waits =
    progress.waitedMs > 0
      ? `, waited ${(progress.waitedMs / 1000).toFixed(1)}s for limits${progress.lastWait ? ` (${progress.lastWait})` : ''}`
      : '';
  return `${progress.stage}${pages}, ${progress.tokens} tokens, $${progress.costUsd.toFixed(4)}${waits}`;
}
