import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AgentdError, BadRequestError, ErrorCode, ProviderError } from '../errors.js';
import { failedCallTiming } from '../gateway/failed-call-timing.js';
import { scrubSecrets } from '../secrets.js';
import { noteCallTiming, timingHeaderValues } from './call-timing.js';

/** The JSON error body of CONTRACT.md: OpenAI's shape, so OpenAI clients raise their typed errors. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** OpenAI's error `type` for an HTTP status. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function errorBody(
  code: string,
  message: string,
  options: { status?: number; param?: string | undefined } = {},
): ErrorBody {
  return {
    error: {
      message: scrubSecrets(message),
      type: errorType(options.status ?? 400),
      param: options.param ?? null,
      code,
    },
  };
}

/** Maps any thrown error to OpenAI's error shape with a 4xx for bad input, never a 500. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const timing = failedCallTiming(error);
  if (timing) noteCallTiming(request, timing);
  if (error instanceof AgentdError) {
    if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    // The gateway has retried what retrying can mend: a client retrying on top (the openai SDK retries a 5xx
    // twice) would multiply the calls to a failing provider. OpenAI's SDKs honour this header.
    if (error instanceof ProviderError) void reply.header('x-should-retry', 'false');
    // A provider's 404 is the model it does not have (or a wrong baseURL, which every model meets alike).
    const param =
      error instanceof BadRequestError
        ? error.param
        : error instanceof ProviderError && error.kind === 'not-found'
          ? 'model'
          : undefined;
    void reply.code(error.statusCode).send(errorBody(error.code, error.message, { status: error.statusCode, param }));
    return;
  }
  const status = (error as FastifyError).statusCode;
  if (status === 413) {
    const key = request.routeOptions.url === '/v1/chat/completions' ? 'server.chatBodyLimit' : 'server.bodyLimit';
    const message = `request body is larger than ${request.routeOptions.bodyLimit} bytes (${key})`;
    void reply.code(413).send(errorBody(ErrorCode.tooLarge, message, { status: 413 }));
    return;
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // fastify's own client errors: malformed JSON, wrong content type, bad URL encoding, a too long URL...
    const code = status === 404 ? ErrorCode.notFound : status === 414 ? ErrorCode.tooLarge : ErrorCode.badRequest;
    // curl's -d sends a form's content type: say which one the API takes.
    const hint = status === 415 ? ': send the body as JSON with content-type: application/json' : '';
    void reply.code(status).send(errorBody(code, `${error.message}${hint}`, { status }));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.code(500).send(errorBody('AGENTD_ERR_INTERNAL', 'internal error (see the daemon log)', { status: 500 }));
}

/**
 * Errors Node's HTTP parser raises before there is a request (fastify's `clientErrorHandler`): headers or a
 * URL over the size limit (431, or 414 when the request line alone is too long), a timeout, garbage.
 */
export function handleClientError(error: Error, socket: Socket): void {
  const { code, rawPacket } = error as Error & { code?: string; rawPacket?: unknown };
  if (code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  let status = 400;
  let message = 'malformed HTTP request';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'the request took too long to arrive';
  } else if (code === 'HPE_HEADER_OVERFLOW') {
    // The request line counts toward the header limit (16 KiB): a request line over half of it is a URL
    // too long rather than too many headers.
    const lineEnd = Buffer.isBuffer(rawPacket) ? rawPacket.indexOf('\r\n') : -1;
    const lineLength = lineEnd === -1 ? (Buffer.isBuffer(rawPacket) ? rawPacket.length : 0) : lineEnd;
    status = lineLength > 8192 ? 414 : 431;
    message = status === 414 ? 'the URL is too long' : 'the request headers are too large';
  }
  const body = JSON.stringify(
    errorBody(status === 400 ? ErrorCode.badRequest : ErrorCode.tooLarge, message, { status }),
  );
  // The timing headers every answer carries: the request never got as far as a limit or a route.
  const timing = Object.entries(timingHeaderValues(0, 0))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${timing}Connection: close\r\n\r\n${body}`,
  );
}
