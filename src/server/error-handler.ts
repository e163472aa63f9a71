import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AgentdError, ErrorCode } from '../errors.js';
import { scrubSecrets } from '../secrets.js';

/** The JSON error body of CONTRACT.md. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message: scrubSecrets(message) } };
}

/** Maps any thrown error to `{"error":{"code","message"}}` with a 4xx for bad input, never a 500. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AgentdError) {
    if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(error.statusCode).send(errorBody(error.code, error.message));
    return;
  }
  const status = (error as FastifyError).statusCode;
  if (status === 413) {
    void reply.code(413).send(errorBody(ErrorCode.tooLarge, 'request body is larger than server.bodyLimit'));
    return;
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // fastify's own client errors: malformed JSON, wrong content type, bad URL encoding...
    const code = status === 404 ? ErrorCode.notFound : ErrorCode.badRequest;
    void reply.code(status).send(errorBody(code, error.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.code(500).send(errorBody('AGENTD_ERR_INTERNAL', 'internal error (see the daemon log)'));
}
