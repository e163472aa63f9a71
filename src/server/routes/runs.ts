import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../api-services.js';
import { ConflictError } from '../../errors.js';
import { queryOf } from '../query-params.js';
import { parseInput } from '../validate.js';
import { DEFAULT_RUN_PAGE, isRunId, MAX_RUN_PAGE, type Run, runSummarySchema } from '../../types/run-record.js';

export const submitRunSchema = z
  .object({
    topic: z.string().trim().min(1, 'expected a topic').max(20_000, 'expected at most 20000 characters'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[a-z]{2,4})?$/i, 'expected a language code like "en" or "zh"')
      .transform((code) => code.toLowerCase())
      .optional(),
    budgetUsd: z.number().nonnegative('expected a non-negative number of US dollars').optional(),
    team: z.array(z.string().min(1)).min(1, 'expected at least one role').optional(),
  })
  .strict();

const idParams = z.object({ id: z.string().min(1) });

export const listRunsQuery = z.object({
  limit: z.coerce
    .number()
    .int('expected a whole number')
    .min(1, 'expected at least 1')
    .max(MAX_RUN_PAGE, `expected at most ${MAX_RUN_PAGE}`)
    .default(DEFAULT_RUN_PAGE),
  before: z.string().refine(isRunId, 'expected a run id').optional(),
});

export const runPageResponse = z.object({
  runs: z.array(runSummarySchema),
  next: z.string().optional(),
});

/**
 * The runs API of CONTRACT.md: submit, list, read, report, cancel, resume. The list is paged (`limit`,
 * `before`: the `next` of the previous page), so that an answer never holds every run ever made.
 */
export function runRoutes(app: FastifyInstance, services: Pick<ApiServices, 'runs'>): void {
  app.post('/v1/runs', async (request, reply) => {
    const body = parseInput(submitRunSchema, request.body);
    const run = await services.runs.submit(body);
    return reply.code(202).send({ id: run.id, status: run.status });
  });

  app.get('/v1/runs', { config: queryOf(listRunsQuery) }, async (request, reply) => {
    const page = parseInput(listRunsQuery, request.query, 'query');
    return reply.type('application/json; charset=utf-8').send(await services.runs.listJson(page));
  });

  app.get('/v1/runs/:id', async (request) => services.runs.get(parseInput(idParams, request.params, 'path').id));

  app.get('/v1/runs/:id/report', async (request, reply) => {
    const run = await services.runs.get(parseInput(idParams, request.params, 'path').id);
    if (!run.report) throw new ConflictError(noReport(run));
    return reply.type('text/markdown; charset=utf-8').send(run.report);
  });

  app.post('/v1/runs/:id/cancel', async (request) =>
    services.runs.cancel(parseInput(idParams, request.params, 'path').id),
  );
  app.post('/v1/runs/:id/resume', async (request) =>
    services.runs.resume(parseInput(idParams, request.params, 'path').id),
  );
}

/** Why a run has no report: not yet, or never (it ended without one, or its team writes none). */
export function noReport(run: Run): string {
  if (run.status === 'queued' || run.status === 'running')
    return `run ${run.id} has no report yet (it is ${run.status})`;
  if (!run.team.includes('researcher'))
    return `run ${run.id} has no report: its team (${run.team.join(', ')}) has no researcher, the role that writes it`;
  return `run ${run.id} has no report: it is ${run.status}, and ended before writing one (a failed or cancelled run can be resumed)`;
}
