import { createHash } from 'node:crypto';
import type { Gateway, GenerateRequest, GenerateResult } from '../gateway/gateway.js';
import type { Plugins } from '../plugins/load-plugins.js';
import type { FileCache } from '../store/file-cache.js';
import type { ResearchContext } from '../actions/research-context.js';
import type { RoleContext } from '../team/role-context.js';
import type { RunExecution } from './event-bus.js';
import type { Run } from '../types/run-record.js';
import type { RunRecorder } from './run-recorder.js';
import type { RunSteps } from './run-steps.js';
import type { RunHealth } from './run-health.js';
import type { EmitEvent } from '../types/run-events.js';
import { ActionName } from '../types/action-names.js';
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
 * The context a run's roles work in: the team runtime's (model calls, steps, events, signal) and the
 * research services the research roles are handed (topic, language, plugins, the run record). Every LLM call
 * is a step keyed by what determines its answer (model, messages, parameters): a resumed run asks the same
 * questions and gets the stored answers, so a finished call is never paid for twice.
 */
export function createRunContext(options: RunContextOptions): ResearchContext {
  const work = options.work ?? new WorkGroup(options.signal);
  return { ...roleContext(options, work), ...researchServices(options, work) };
}

/** What every role gets, whatever its team does. */
function roleContext(options: RunContextOptions, work: WorkGroup): RoleContext {
  const { run, gateway, steps, recorder, execution, signal, llmCache, health } = options;
  const emit: EmitEvent = (type, data) => {
    execution.emit(type, data);
  };
  return {
    runId: run.id,
    signal,
    emit,
    recordError: (error) => recorder.addError(error),
    step: async (key, stepWork) => {
      const result = await work.track(() => steps.run(key, stepWork));
      // Searches are the steps keyed `search:` (collect-links.ts); a replayed one counts as an answer too.
      if (key.startsWith('search:')) health?.searchAnswered();
      return result;
    },
    llm: (action: string, request: GenerateRequest): Promise<GenerateResult> => {
      // The report comes last, after every search: a run that could search nothing fails (run-execution.ts)
      // whatever its report says, so it fails here, before paying for one.
      const verdict = action === ActionName.ConductResearch ? health?.verdict() : undefined;
      if (verdict) return Promise.reject(verdict);
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

/** What the research roles get besides: the run's subject, the web plugins (tracked with the run) and its record. */
function researchServices(options: RunContextOptions, work: WorkGroup): Omit<ResearchContext, keyof RoleContext> {
  const { run, plugins, recorder, health } = options;
  return {
    topic: run.topic,
    language: run.language,
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
    record: recorder,
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
