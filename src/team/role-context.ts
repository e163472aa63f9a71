import type { GenerateRequest, GenerateResult } from '../gateway/gateway.js';
import type { BrowsePlugin, SearchPlugin, WikiPlugin } from '../plugins/plugin-types.js';
import type { RunError } from '../runs/run-record.js';
import type { EmitEvent } from '../types/run-events.js';

/**
 * Everything a role and its actions may use, and nothing about what is behind it: the gateway, the plugins,
 * persisted steps, events, the run's language and abort signal.
 */
export interface RoleContext {
  runId: string;
  topic: string;
  /** ISO 639-1 code: queries, summaries and the report are written in it. */
  language: string;
  signal: AbortSignal;
  /** One LLM call through the gateway, attributed to `action`, persisted as a step and replayed on resume. */
  llm(action: string, request: GenerateRequest): Promise<GenerateResult>;
  search: SearchPlugin;
  browse: BrowsePlugin;
  wiki: WikiPlugin;
  /**
   * Runs `work` once per run for `key`: its result is persisted before anything builds on it, and a resumed
   * run gets the stored result instead of doing the work again.
   */
  step<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Reports an event, persisted on the run and streamed to clients. */
  emit: EmitEvent;
  /** Records a problem that does not fail the run (a page that did not load, an answer that was repaired). */
  recordError(error: RunError): void;
  /** The run record's fields the actions fill in. */
  record: RunOutput;
}

/** What the actions contribute to the run record, as they finish. */
export interface RunOutput {
  setKeywords(keywords: string[]): void;
  addWiki(entry: { title: string; url: string; summary: string; keyword: string }): void;
  addSource(source: { url: string; title: string; query: string; summary: string }): void;
  setReport(report: string): void;
}
