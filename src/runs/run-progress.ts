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
  /**
   * Time the run spent held up by rate limits, by the clock: calls that waited at the same time count once
   * (a run of four pages waiting together for 10 s waited 10 s, not 40).
   */
  waitedMs: number;
  /** The spans of time (epoch ms, sorted, disjoint) that `waitedMs` adds up. */
  waits: ReadonlyArray<readonly [number, number]>;
  /** Why the last wait happened. */
  lastWait: string;
}

export function emptyProgress(): RunProgress {
  return {
    stage: 'queued',
    pagesStarted: 0,
    pagesDone: 0,
    tokens: 0,
    costUsd: 0,
    waitedMs: 0,
    waits: [],
    lastWait: '',
  };
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
      // A new execution announces every page again (pages read before replay their stored steps): counting
      // on from the last one would show a completed run with pages left unread (9/14 after a restart).
      next.pagesStarted = 0;
      next.pagesDone = 0;
      break;
    case 'action-start':
      next.stage = event.data.action;
      if (event.data.action === ActionName.WebBrowseAndSummarize) next.pagesStarted += 1;
      break;
    case 'action-end':
      // A page is done once read, or once it failed; not when the run's end cut it off (it was not read).
      if (event.data.action === ActionName.WebBrowseAndSummarize && event.data.cancelled !== true) next.pagesDone += 1;
      break;
    case 'llm-call':
      next.tokens += event.data.tokens;
      next.costUsd += event.data.costUsd;
      break;
    case 'llm-wait': {
      // The event is written when the wait ends; it began `ms` before.
      const end = Date.parse(event.at);
      next.waits = addSpan(progress.waits, [end - event.data.ms, end]);
      next.waitedMs = next.waits.reduce((sum, [from, to]) => sum + (to - from), 0);
      next.lastWait = event.data.reason;
      break;
    }
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

/** `spans` with `span` merged in, still sorted and disjoint. */
function addSpan(
  spans: ReadonlyArray<readonly [number, number]>,
  span: readonly [number, number],
): Array<readonly [number, number]> {
  const merged: Array<readonly [number, number]> = [];
  let [from, to] = span;
  for (const [start, end] of spans) {
    if (end < from) merged.push([start, end]);
    else if (start > to) {
      merged.push([from, to]);
      [from, to] = [start, end];
    } else [from, to] = [Math.min(from, start), Math.max(to, end)];
  }
  merged.push([from, to]);
  return merged;
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
