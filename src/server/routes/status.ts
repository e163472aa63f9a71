import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../api-services.js';
import { VERSION } from '../../version.js';

/** `GET /v1/status`: what `agentd status` shows. Not in CONTRACT.md's table; documented in README.md. */
export function statusRoutes(
  app: FastifyInstance,
  services: Pick<ApiServices, 'url' | 'startedAt' | 'config' | 'gateway' | 'runs' | 'cluster'>,
): void {
  app.get('/v1/status', async () => {
    const totals = services.gateway.ledger.totals().total;
    return {
      pid: process.pid,
      url: services.url ?? null,
      version: VERSION,
      startedAt: services.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
      dataDir: services.config.dataDir,
      config: services.config.source,
      providers: services.gateway.providersState().map((state) => ({
        name: state.name,
        type: state.type,
        limits: state.limits ?? {},
        inFlight: state.inFlight ?? 0,
        queued: state.queued ?? 0,
        pausedUntil: state.pausedUntil ?? null,
        origin: services.config.providers[state.name]?.origin ?? null,
        health: state.health,
      })),
      usage: totals,
      // Beside the spend, what limits it: `agentd status` shows the two together.
      budget: {
        totalUsd: services.config.budget.totalUsd ?? null,
        perRunUsd: services.config.budget.perRunUsd ?? null,
      },
      runs: { active: services.runs.activeCount, queued: services.runs.queuedCount },
      // Only in cluster mode: the members and the spend of all of them (providers above show the shared limits).
      ...(services.cluster ? { cluster: await services.cluster.status() } : {}),
    };
  });
}
