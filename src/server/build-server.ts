import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { ErrorCode } from '../errors.js';
import type { ApiServices } from './api-services.js';
import { errorBody, handleClientError, handleError } from './error-handler.js';
import { dashboardAccess } from './dashboard/access.js';
import { loadDashboardAssets } from './dashboard/assets.js';
import { DashboardSessions } from './dashboard/sessions.js';
import { chatCompletionRoutes } from './routes/chat-completions.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { embeddingRoutes } from './routes/embeddings.js';
import { modelRoutes } from './routes/models.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes } from './routes/history.js';
import { providerRoutes } from './routes/providers.js';
import { runRoutes } from './routes/runs.js';
import { statusRoutes } from './routes/status.js';
import { toolRoutes } from './routes/tools.js';
import { openApiDocument } from './openapi.js';
import { createGuards } from './security.js';
import { refuseUnknownQuery } from './query-params.js';
import { refuseLoneSurrogates } from './well-formed-strings.js';
import { answerHeaders, registerAnswerHeaders } from './call-timing.js';
import { registerCors } from './cors.js';
import { registerGracefulClose } from './graceful-close.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { RequestLogging } from './request-logging.js';

/**
 * Request ids (`reqId` in the log, `x-request-id` on answers) unique across the daemon's restarts, which append
 * to the same log file: fastify's own count from `req-1` again at each start. The start time, then a count.
 */
function requestIds(): () => string {
  let prefix = '';
  let next = 2 ** 30;
  return () => {
    // A small integer stays one (fastify masks its own count for that): past 2^30 requests, a new start time.
    if (next === 2 ** 30) {
      prefix = `req-${Date.now().toString(36)}-`;
      next = 0;
    }
    return prefix + (next++).toString(36);
  };
}

/**
 * The daemon's HTTP and WebSocket API, built without listening (fastify's testing guide): tests call
 * `app.inject()`, and only the CLI's `start` calls `listen`.
 */
export async function buildServer(services: ApiServices): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one routes expect.
    loggerInstance: services.logger as FastifyBaseLogger,
    logController: new RequestLogging(),
    bodyLimit: config.server.bodyLimit,
    // Client-sent request ids would let one client's log lines impersonate another's.
    requestIdHeader: false,
    genReqId: requestIds(),
    // On close, only idle sockets are closed at once: requests in flight are answered first, and
    // registerGracefulClose bounds how long a client that never goes away can hold up the stop.
    forceCloseConnections: 'idle',
    // Model ids are route parameters (`/v1/models/:id`) and some are long (OpenRouter's).
    routerOptions: { maxParamLength: 1000 },
    clientErrorHandler: handleClientError,
    // A bad URL encoding or an over-long parameter answers in the API's error shape too, with the timing
    // headers: fastify answers these outside the hooks that add them to every other answer.
    frameworkErrors: (error, request, reply) => {
      void reply.headers(answerHeaders(request as FastifyRequest, reply as FastifyReply));
      return handleError(error, request as FastifyRequest, reply as FastifyReply);
    },
  });

  app.setErrorHandler(handleError);
  acceptEmptyJsonBodies(app);
  registerGracefulClose(app);
  registerAnswerHeaders(app);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(errorBody(ErrorCode.notFound, `no route ${request.method} ${request.url.split('?')[0]}`, { status: 404 }));
  });
  await app.register(websocket, { options: { maxPayload: 1_048_576 }, preClose: closeSocketsGoingAway });
  // After the WebSocket plugin: its own onRequest hook marks upgrade requests, so that a refused upgrade's
  // socket is destroyed once the error is answered instead of staying open (and holding up a stop).
  registerCors(app, config.server.cors.origins);
  const sessions = new DashboardSessions();
  app.addHook(
    'onRequest',
    createGuards({
      listenHost: config.server.host,
      token: services.token,
      tokenHint: services.tokenHint,
      corsOrigins: config.server.cors.origins,
      dashboard: dashboardAccess(sessions),
    }),
  );
  app.addHook('onRequest', refuseUnknownQuery);
  app.addHook('preValidation', refuseLoneSurrogates);

  healthRoutes(app);
  statusRoutes(app, services);
  providerRoutes(app, services);
  chatCompletionRoutes(app, services);
  modelRoutes(app, services);
  embeddingRoutes(app, services);
  toolRoutes(app, services);
  runRoutes(app, services);
  eventRoutes(app, services);
  historyRoutes(app, services);
  dashboardRoutes(app, { sessions, assets: loadDashboardAssets() });
  // Built on first request, once the daemon knows the URL it listens on (its `servers` entry).
  let openApi: { url: string | undefined; document: Record<string, unknown> } | undefined;
  app.get('/v1/openapi.json', async () => {
    if (!openApi || openApi.url !== services.url)
      openApi = { url: services.url, document: openApiDocument(services.url) };
    return openApi.document;
  });
  return app;
}

/**
 * On stop, every WebSocket client is told the daemon is going away (1001), as the runs it follows resume at the
 * next start: `research --follow` then waits for the daemon and follows on. The plugin's own close sent no
 * code (1005), which a follower took for the end of its stream and gave up on, unlike after a crash (1006).
 */
function closeSocketsGoingAway(this: FastifyInstance, done: () => void): void {
  for (const client of this.websocketServer.clients) client.close(1001, 'the daemon is stopping');
  this.websocketServer.close();
  done();
}
