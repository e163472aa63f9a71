import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';

/** `GET /health`: the one route without a token, so that `agentd start` can tell when the daemon is up. */
export function healthRoutes(app: FastifyInstance): void {
  app.get('/health', async () => ({ status: 'ok', version: VERSION }));
}
