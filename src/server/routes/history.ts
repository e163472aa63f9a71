import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../api-services.js';
import { usageSchema } from '../../types/run-record.js';
import { queryOf } from '../query-params.js';
import { parseInput } from '../validate.js';

export const usageHistoryQuery = z.object({
  bucketSeconds: z.coerce
    .number()
    .int()
    .min(60, 'expected at least 60 seconds')
    .max(2_592_000, 'expected at most 30 days')
    .default(3600),
  since: z.iso.datetime({ offset: true, message: 'expected an ISO date-time' }).optional(),
});

export const usageHistoryResponse = z.object({
  bucketSeconds: z.number().int().positive(),
  buckets: z.array(z.object({ start: z.string(), total: usageSchema, byModel: z.record(z.string(), usageSchema) })),
  budget: z.object({ totalUsd: z.number().nullable(), perRunUsd: z.number().nullable() }),
});

const limitSample = z.object({
  at: z.string(),
  requests: z.number(),
  tokens: z.number(),
  rpmLimit: z.number().nullable(),
  tpmLimit: z.number().nullable(),
  inFlight: z.number(),
  queued: z.number(),
  waitedMs: z.number(),
  rateLimited: z.number(),
  pausedUntil: z.string().nullable(),
});

export const limitHistoryResponse = z.object({
  intervalMs: z.number(),
  providers: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      limits: z
        .object({ rpm: z.number().nullable(), tpm: z.number().nullable(), concurrency: z.number().nullable() })
        .nullable(),
      concurrencyCap: z.number().nullable(),
      pace: z.number().nullable(),
      learned: z.object({ rpm: z.boolean(), tpm: z.boolean() }).nullable(),
      health: z
        .object({
          reachable: z.boolean().nullable(),
          lastSuccessAt: z.string().nullable(),
          lastFailureAt: z.string().nullable(),
          lastFailure: z.object({ kind: z.string(), message: z.string(), code: z.string() }).nullable(),
          lastCheckedBy: z.enum(['call', 'check']).nullable(),
        })
        .nullable(),
      totals: z.object({ calls: z.number(), rateLimited: z.number(), waitedMs: z.number() }),
      samples: z.array(limitSample),
    }),
  ),
});

/**
 * `GET /v1/usage/history`: spend and tokens per time bucket and model, from the ledger, with the budget.
 * `GET /v1/limits/history`: each provider's limiter sampled over the last minutes (requests and tokens per
 * minute against the limits, in flight, queue, waits, 429s). The dashboard's charts read these.
 */
export function historyRoutes(app: FastifyInstance, services: Pick<ApiServices, 'history' | 'config'>): void {
  app.get('/v1/usage/history', { config: queryOf(usageHistoryQuery) }, async (request) => {
    const query = parseInput(usageHistoryQuery, request.query, 'query');
    const series = await services.history.usage.series({
      bucketSeconds: query.bucketSeconds,
      ...(query.since ? { since: new Date(query.since) } : {}),
    });
    return usageHistoryResponse.parse({
      ...series,
      budget: {
        totalUsd: services.config.budget.totalUsd ?? null,
        perRunUsd: services.config.budget.perRunUsd ?? null,
      },
    });
  });

  app.get('/v1/limits/history', async () =>
    limitHistoryResponse.parse({
      intervalMs: services.history.limits.intervalMs,
      providers: services.history.limits.snapshot(),
    }),
  );
}
