import type { FastifyInstance } from 'fastify';

/** How long a stop waits for in-flight requests before it cuts what is still open. */
export const CLOSE_DRAIN_MS = 5_000;

/**
 * Closing in order. On `app.close()` the server stops accepting connections and closes idle keep-alive
 * sockets; each request in flight is answered, and its socket closed as soon as it falls idle (a kept-alive
 * socket would otherwise hold the close for `keepAliveTimeout`). Only then does fastify run the `onClose`
 * hooks, where the daemon closes the run manager, the plugins' worker pool and the store. A client that
 * never goes away (a stuck stream, a half-open socket) is cut after `drainMs`: it cannot hold up a stop.
 * Needs `forceCloseConnections: 'idle'`; `true` destroys the requests in flight along with the idle sockets.
 */
export function registerGracefulClose(app: FastifyInstance, drainMs = CLOSE_DRAIN_MS): void {
  let closing = false;
  let cutOff: NodeJS.Timeout | undefined;
  app.addHook('onRequest', (_request, reply, done) => {
    // `finish` also covers hijacked replies (streamed chat completions), which skip fastify's onResponse.
    reply.raw.once('finish', () => {
      if (closing) setImmediate(() => app.server.closeIdleConnections());
    });
    done();
  });
  app.addHook('preClose', (done) => {
    closing = true;
    cutOff = setTimeout(() => app.server.closeAllConnections(), drainMs);
    cutOff.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(cutOff);
    done();
  });
}
