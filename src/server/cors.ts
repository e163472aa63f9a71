import type { FastifyInstance } from 'fastify';

/** Headers a browser app may read from an answer: the timing, request id and rate-limit ones beside the body. */
const EXPOSED_HEADERS = 'x-agentd-overhead-ms, x-agentd-queue-ms, x-request-id, retry-after';

/**
 * CORS for the origins in `server.cors.origins` (none by default). A preflight from one of them is answered
 * here, before the token check (browsers send no Authorization with a preflight); their real requests get
 * the CORS headers and still need the token. Every other origin stays refused by security.ts.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    void reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('access-control-expose-headers', EXPOSED_HEADERS);
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!preflight) return;
    // SDKs running in browsers add headers of their own (openai-node's x-stainless-*): echo what is asked.
    const requested = request.headers['access-control-request-headers'] ?? 'authorization, content-type';
    await reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', requested)
      .header('access-control-max-age', '600')
      .send();
  });
}
