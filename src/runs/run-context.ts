import { createHash } from 'node:crypto';
import type { Gateway, GenerateRequest, GenerateResult } from '../gateway/gateway.js';
import type { Plugins } from '../plugins/load-plugins.js';
import type { FileCache } from '../store/file-cache.js';
import type { RoleContext } from '../team/role-context.js';
import type { RunExecution } from './event-bus.js';
import type { Run } from './run-record.js';
import type { RunRecorder } from './run-recorder.js';
import type { RunSteps } from './run-steps.js';
import type { RunHealth } from './run-health.js';
import type { EmitEvent } from '../types/run-events.js';
import { WorkGroup } from './work-group.js';

export interface RunContextOptions {
  run: Run;
  gateway: Gateway;
  plugins: Plugins;
  steps: RunSteps;
  recorder: RunRecorder;
  /** The execution the run's events belong to: they are refused once it has ended. */
  execution: RunExecution;
  signal: AbortSignal;
  /** Tracks every call the run makes, so that its end can wait for them. @default a group of its own */
  work?: WorkGroup | undefined;
  /** Counts answers and network failures, for an honest outcome (see run-health.ts). */
  health?: RunHealth | undefined;
  /** Answers shared across runs (`cache.llm`); absent: every run asks for itself. */
  llmCache?: FileCache<GenerateResult> | undefined;
}

/**
 * The context a run's roles work in. Every LLM call is a step keyed by what determines its answer (model,
 * messages, parameters): a resumed run asks the same questions and gets the stored answers, so a finished
 * call is never paid for twice.
 */
export function createRunContext(options: RunContextOptions): RoleContext {
  const { run, gateway, plugins, steps, recorder, execution, signal, llmCache, health } = options;
  const work = options.work ?? new WorkGroup(signal);
  const emit: EmitEvent = (type, data) => {
    execution.emit(type, data);
  };
  return {
    runId: run.id,
    topic: run.topic,
    language: run.language,
    signal,
    search: {
      name: plugins.search.name,
      search: (query, searchOptions) =>
        work.track(() =>
          plugins.search.search(query, searchOptions).catch((error: unknown) => {
            health?.searchFailed(error);
            throw error;
          }),
        ),
    },
    browse: {
      name: plugins.browse.name,
      browse: (url, browseOptions) => work.track(() => plugins.browse.browse(url, browseOptions)),
    },
    wiki: {
      name: plugins.wiki.name,
      lookup: (query, wikiOptions) => work.track(() => plugins.wiki.lookup(query, wikiOptions)),
    },
    emit,
    recordError: (error) => recorder.addError(error),
    record: recorder,
    step: async (key, stepWork) => {
      const result = await work.track(() => steps.run(key, stepWork));
      // Searches are the steps keyed `search:` (collect-links.ts); a replayed one counts as an answer too.
      if (key.startsWith('search:')) health?.searchAnswered();
      return result;
    },
    llm: (action: string, request: GenerateRequest): Promise<GenerateResult> => {
      const model = gateway.modelFor(request.model, action);
      const hash = llmKey(model, request);
      const callContext = { runId: run.id, action, budgetUsd: run.budgetUsd, signal, emit };
      return work
        .track(() =>
          steps.run(`llm:${action}:${hash}`, async () => {
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
          }),
        )
        .then(
          (result) => {
            health?.llmAnswered();
            return result;
          },
          (error: unknown) => {
            throw health ? health.llmFailed(error) : error;
          },
        );
    },
  };
}

/** A stable hash of everything that determines an answer. */
export function llmKey(model: string, request: GenerateRequest): string {
  const material = JSON.stringify([
    model,
    request.messages,
    request.maxOutputTokens ?? null,
    request.temperature ?? null,
    request.responseFormat ?? null,
    request.stop ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
