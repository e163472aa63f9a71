import { createHash } from 'node:crypto';
import type { Gateway, GenerateRequest, GenerateResult } from '../gateway/gateway.js';
import type { Plugins } from '../plugins/load-plugins.js';
import type { FileCache } from '../store/file-cache.js';
import type { RoleContext } from '../team/role-context.js';
import type { EventBus } from './event-bus.js';
import type { Run } from './run-record.js';
import type { RunRecorder } from './run-recorder.js';
import type { RunSteps } from './run-steps.js';

export interface RunContextOptions {
  run: Run;
  gateway: Gateway;
  plugins: Plugins;
  steps: RunSteps;
  recorder: RunRecorder;
  events: EventBus;
  signal: AbortSignal;
  /** Answers shared across runs (`cache.llm`); absent: every run asks for itself. */
  llmCache?: FileCache<GenerateResult> | undefined;
}

/**
 * The context a run's roles work in. Every LLM call is a step keyed by what determines its answer (model,
 * messages, parameters): a resumed run asks the same questions and gets the stored answers, so a finished
 * call is never paid for twice.
 */
export function createRunContext(options: RunContextOptions): RoleContext {
  const { run, gateway, plugins, steps, recorder, events, signal, llmCache } = options;
  const emit = (type: string, data: Record<string, unknown>) => {
    events.emit(run.id, type, data);
  };
  return {
    runId: run.id,
    topic: run.topic,
    language: run.language,
    signal,
    search: plugins.search,
    browse: plugins.browse,
    wiki: plugins.wiki,
    emit,
    recordError: (error) => recorder.addError(error),
    record: recorder,
    step: (key, work) => steps.run(key, work),
    llm: (action: string, request: GenerateRequest): Promise<GenerateResult> => {
      const model = gateway.modelFor(request.model, action);
      const hash = llmKey(model, request);
      const callContext = { runId: run.id, action, budgetUsd: run.budgetUsd, signal, emit };
      return steps.run(`llm:${action}:${hash}`, async () => {
        const cached = llmCache?.get(hash);
        if (cached) {
          gateway.recordCachedReplay(cached, callContext);
          return cached;
        }
        const result = await gateway.generate({ ...request, model }, callContext);
        try {
          llmCache?.set(hash, result);
        } catch {
          // Without the cache the next run pays again; this one already has its answer.
        }
        return result;
      });
    },
  };
}

/** A stable hash of everything that determines an answer. */
export function llmKey(model: string, request: GenerateRequest): string {
  const material = JSON.stringify([model, request.messages, request.maxOutputTokens ?? null, request.temperature ?? null, request.responseFormat ?? null, request.stop ?? null]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
