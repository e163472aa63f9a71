import type { GenerateRequest, GenerateResult } from '../gateway/gateway.js';
import type { RunError } from '../runs/run-record.js';
import type { EmitEvent } from '../types/run-events.js';

/**
 * What the team runtime gives every role and action, whatever the team does: model calls through the
 * gateway, persisted steps, events, problems that do not fail the run, and the run's abort signal. A team's
 * own services (research: search, browse, wiki, the run record) extend it where that team's roles are built.
 */
export interface RoleContext {
  runId: string;
  signal: AbortSignal;
  /** One LLM call through the gateway, attributed to `action`, persisted as a step and replayed on resume. */
  llm(action: string, request: GenerateRequest): Promise<GenerateResult>;
  /**
   * Runs `work` once per run for `key`: its result is persisted before anything builds on it, and a resumed
   * run gets the stored result instead of doing the work again.
   */
  step<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Reports an event, persisted on the run and streamed to clients. */
  emit: EmitEvent;
  /** Records a problem that does not fail the run (a page that did not load, an answer that was repaired). */
  recordError(error: RunError): void;
}
