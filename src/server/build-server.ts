import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { ErrorCode } from '../errors.js';
import type { Services } from '../daemon/services.js';
import { errorBody, handleError } from './error-handler.js';
import { dashboardAccess } from './dashboard/access.js';
import { loadDashboardAssets } from './dashboard/assets.js';
import { DashboardSessions } from './dashboard/sessions.js';
import { chatCompletionRoutes } from './routes/chat-completions.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { providerRoutes } from './routes/providers.js';
import { runRoutes } from './routes/runs.js';
import { statusRoutes } from './routes/status.js';
import { toolRoutes } from './routes/tools.js';
import { openApiDocument } from './openapi.js';
import { createGuards } from './security.js';

/**
 * The daemon's HTTP and WebSocket API, built without listening (fastify's testing guide): tests call
 * `app.inject()`, and only the CLI's `start` calls `listen`.
 */
export async function buildServer(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one routes expect.
    loggerInstance: services.logger as FastifyBaseLogger,
    bodyLimit: config.server.bodyLimit,
    // Client-sent request ids would let one client's log lines impersonate another's.
    requestIdHeader: false,
    // A client that never goes away (a stuck stream, a half-open socket) must not hold up the daemon's stop.
    forceCloseConnections: true,
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody(ErrorCode.notFound, `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  await app.register(websocket, { options: { maxPayload: 1_048_576 } });
  // After the WebSocket plugin: its own onRequest hook marks upgrade requests, so that a refused upgrade's
  // socket is destroyed once the error is answered instead of staying open (and holding up a stop).
  const sessions = new DashboardSessions();
  app.addHook('onRequest', createGuards({ listenHost: config.server.host, token: services.token, dashboard: dashboardAccess(sessions) }));

  healthRoutes(app);
  statusRoutes(app, services);
  providerRoutes(app, services);
  chatCompletionRoutes(app, services);
  toolRoutes(app, services);
  runRoutes(app, services);
  eventRoutes(app, services);
  historyRoutes(app, services);
  dashboardRoutes(app, { sessions, assets: loadDashboardAssets() });
  const openApi = openApiDocument();
  app.get('/v1/openapi.json', async () => openApi);
  return app;
}
