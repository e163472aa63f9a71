import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A signal that aborts when the client hangs up, cancelling the call and freeing its place in the limiter.
 * Not the request's `'close'`: Node emits that as soon as the body has been read, on every real socket
 * (inject() has none, so only a listening server shows it). The response closing before it finished, or the
 * request being aborted mid-body, is a client that went away.
 */
export function clientGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  const gone = () => {
    if (!reply.raw.writableFinished) abort.abort(new Error('the client closed the connection'));
  };
  reply.raw.once('close', gone);
  request.raw.once('aborted', gone);
  return abort.signal;
}
