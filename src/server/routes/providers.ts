import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../api-services.js';

/**
 * `GET /v1/providers` and `GET /v1/usage`: limiter state per provider, and spend from the ledger (every
 * member's in a cluster).
 */
export function providerRoutes(
  app: FastifyInstance,
  services: Pick<ApiServices, 'config' | 'gateway' | 'history'>,
): void {
  app.get('/v1/providers', async () => ({
    providers: services.gateway.providersState().map((state) => ({
      ...state,
      // CONTRACT's "limits, used, queued": this daemon's calls and tokens of the last minute.
      used: services.history.limits.lastMinute(state.name),
      baseURL: services.config.providers[state.name]?.baseURL ?? null,
      origin: services.config.providers[state.name]?.origin ?? null,
      models: {
        default: services.config.models.default.startsWith(`${state.name}/`) ? services.config.models.default : null,
        actions: Object.fromEntries(
          Object.entries(services.config.models.actions).filter(([, model]) => model.startsWith(`${state.name}/`)),
        ),
        limits: state.models,
      },
    })),
  }));

  app.get('/v1/usage', async () => {
    const totals = await services.history.usage.totals();
    return {
      ...totals.total,
      byProvider: totals.byProvider,
      byModel: totals.byModel,
      budget: {
        totalUsd: services.config.budget.totalUsd ?? null,
        perRunUsd: services.config.budget.perRunUsd ?? null,
      },
    };
  });
}
