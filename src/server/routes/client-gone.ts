import type { FastifyReply, FastifyRequest } from 'fastify';
import { Cancellation } from '../../gateway/cancel-signal.js';

/**
 * A signal that aborts when the client hangs up, cancelling the call and freeing its place in the limiter.
 * Not the request's `'close'`: Node emits that as soon as the body has been read, on every real socket
 * (inject() has none, so only a listening server shows it). The response closing before it finished, or the
 * request being aborted mid-body, is a client that went away. A `Cancellation`, not an `AbortController`:
 * one is made for every request, and Node's `AbortSignal` is costly to make and to listen to.
 */
export function clientGone(request: FastifyRequest, reply: FastifyReply): Cancellation {
  const gone = new Cancellation();
  const onClose = () => {
    // Both events can come for one hang-up: said once.
    if (reply.raw.writableFinished || gone.aborted) return;
    gone.abort(new Error('the client closed the connection'));
    // fastify logs a request when its answer has been sent in full: this one's would never be logged.
    request.log.info({ req: request, responseTime: reply.elapsedTime }, 'connection closed before the answer ended');
  };
  reply.raw.once('close', onClose);
  request.raw.once('aborted', onClose);
  return gone;
}
