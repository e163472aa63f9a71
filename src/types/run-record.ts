import { z } from 'zod';

/** Statuses of a run, in CONTRACT.md's words. */
export const runStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const usageSchema = z.object({
  calls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** True when some call's model had no known price: `costUsd` then undercounts. */
  costUnknown: z.boolean().optional(),
});
export type Usage = z.infer<typeof usageSchema>;

export const runErrorSchema = z.object({
  stage: z.string(),
  message: z.string(),
  url: z.string().optional(),
  code: z.string().optional(),
  at: z.string().optional(),
});
export type RunError = z.infer<typeof runErrorSchema>;

/** The run record of CONTRACT.md, plus the options it was submitted with. */
export const runSchema = z.object({
  id: z.string(),
  topic: z.string(),
  language: z.string(),
  status: runStatusSchema,
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  budgetUsd: z.number().nonnegative().optional(),
  team: z.array(z.string()),
  keywords: z.array(z.string()),
  wiki: z.array(z.object({ title: z.string(), url: z.string(), summary: z.string(), keyword: z.string().optional() })),
  sources: z.array(z.object({ url: z.string(), title: z.string(), query: z.string(), summary: z.string() })),
  report: z.string(),
  usage: usageSchema,
  errors: z.array(runErrorSchema),
  /** The cluster member that executed the run (its last execution), in cluster mode. */
  member: z.string().optional(),
  /** Why the run failed, when it did. */
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type Run = z.infer<typeof runSchema>;

/** What `GET /v1/runs` lists for each run. */
export const runSummarySchema = runSchema
  .pick({ id: true, topic: true, language: true, status: true, createdAt: true, startedAt: true, finishedAt: true })
  .extend({
    costUsd: z.number(),
    /** Sources read so far (absent in indexes written before it existed). */ sourceCount: z
      .number()
      .int()
      .nonnegative()
      .optional(),
  });
export type RunSummary = z.infer<typeof runSummarySchema>;

export function summarize(run: Run): RunSummary {
  const summary: RunSummary = {
    id: run.id,
    topic: run.topic,
    language: run.language,
    status: run.status,
    createdAt: run.createdAt,
    costUsd: run.usage.costUsd,
    sourceCount: run.sources.length,
  };
  if (run.startedAt) summary.startedAt = run.startedAt;
  if (run.finishedAt) summary.finishedAt = run.finishedAt;
  return summary;
}

/** A run a stop or a crash can leave behind, for the next start to resume. */
export function isUnfinished(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

export function emptyUsage(): Usage {
  return { calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
}

/** How many run summaries `GET /v1/runs` answers when the client does not say. */
export const DEFAULT_RUN_PAGE = 100;
/** The most run summaries one `GET /v1/runs` answers. */
export const MAX_RUN_PAGE = 1_000;

/** Which page of the run list to read: the newest `limit` runs older than `before` (a run id). */
export interface RunPageRequest {
  limit: number;
  before?: string | undefined;
}

/** One page of the run list, newest first; `next`, when there are older runs, is the `before` of the next page. */
export interface RunPage {
  runs: RunSummary[];
  next?: string;
}

/**
 * Run ids are the daemon's (time-ordered, see newRunId), but a client can send any string: one that is not
 * an id can never name a file or a key.
 */
export function isRunId(id: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(id);
}
