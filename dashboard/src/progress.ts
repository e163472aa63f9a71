import type { RunEvent } from './api.js';

/** A run's live progress, from its events: as `agentd research --follow` shows it. */
export interface Progress {
  stage: string;
  pagesStarted: number;
  pagesDone: number;
  tokens: number;
  costUsd: number;
  waitedMs: number;
  lastWait: string;
}

export function emptyProgress(): Progress {
  return { stage: 'queued', pagesStarted: 0, pagesDone: 0, tokens: 0, costUsd: 0, waitedMs: 0, lastWait: '' };
}

/** The progress after one more event. */
export function applyEvent(progress: Progress, event: RunEvent): Progress {
  const data = event.data;
  const next = { ...progress };
  switch (event.type) {
    case 'run-queued':
      next.stage = 'queued';
      break;
    case 'run-started':
      next.stage = data.resumed ? 'resumed' : 'started';
      break;
    case 'action-start':
      next.stage = String(data.action);
      if (data.action === 'WebBrowseAndSummarize') next.pagesStarted += 1;
      break;
    case 'action-end':
      if (data.action === 'WebBrowseAndSummarize') next.pagesDone += 1;
      break;
    case 'llm-call':
      next.tokens += Number(data.tokens ?? 0);
      next.costUsd += Number(data.costUsd ?? 0);
      break;
    case 'llm-wait':
      next.waitedMs += Number(data.ms ?? 0);
      next.lastWait = String(data.reason ?? '');
      break;
    case 'run-completed':
    case 'run-failed':
    case 'run-cancelled':
      next.stage = event.type.slice(4);
      break;
    default:
      break;
  }
  return next;
}
