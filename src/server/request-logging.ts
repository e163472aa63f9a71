import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when it is answered: the request (method, url, client address), the
 * status and the response time. fastify's default writes two (`incoming request` and `request completed`),
 * and at the default level (info) those lines were a tenth of the daemon's CPU per proxied chat completion
 * (`npm run bench:proxy`). The incoming line stays available at `debug`, for tracing a request that never ends.
 */
export class RequestLogging extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}
