import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

/** How long a stop waits for in-flight requests before it cuts what is still open. */
export const CLOSE_DRAIN_MS = 5_000;

/** How often a stop closes the sockets that fell idle since it began (their requests answered). */
const IDLE_SWEEP_MS = 20;

/**
 * Closing in order. On `app.close()` the server stops accepting connections and closes idle keep-alive
 * sockets; each request in flight is answered, and its socket closed once it falls idle (a kept-alive socket
 * would otherwise hold the close for `keepAliveTimeout`): a sweep closes idle sockets every `IDLE_SWEEP_MS`
 * while stopping, so that no request pays for the rare stop with a listener of its own. Only then does fastify
 * run the `onClose` hooks, where the daemon closes the run manager, the plugins' worker pool and the store. A
 * client that never goes away (a stuck stream, a half-open socket) is cut after `drainMs`: it cannot hold up a
 * stop. Needs `forceCloseConnections: 'idle'`; `true` destroys the requests in flight along with the idle
 * sockets.
 *
 * Node's idle sockets are those that finished a request: a connection that never sent a byte is not one of
 * them, and held every stop for the whole drain time. Clients open such connections ahead of use (the openai
 * SDK after an aborted call, a browser's preconnect), so the sweep closes them too; nothing was asked on them.
 */
export function registerGracefulClose(app: FastifyInstance, drainMs = CLOSE_DRAIN_MS): void {
  let cutOff: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  // Per connection, not per request: a keep-alive client pays for it once.
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const closeUnused = () => {
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
  };
  app.addHook('preClose', (done) => {
    closeUnused();
    sweep = setInterval(() => {
      app.server.closeIdleConnections();
      closeUnused();
    }, IDLE_SWEEP_MS);
    sweep.unref();
    cutOff = setTimeout(() => app.server.closeAllConnections(), drainMs);
    cutOff.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweep);
    clearTimeout(cutOff);
    done();
  });
}
