import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { ErrorCode } from '../../errors.js';
import { z } from 'zod';
import type { ApiServices } from '../api-services.js';
import { errorBody } from '../error-handler.js';
import { queryOf } from '../query-params.js';
import { TERMINAL_EVENT_TYPES, type RunEvent } from '../../types/run-events.js';

/** A client that has this much unsent data is too slow: it is closed and may reconnect with `?since=`. */
export const MAX_BUFFERED_BYTES = 1_048_576;
/** Close codes: the run does not exist; the client fell behind. */
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TOO_SLOW = 4008;

const runQuery = z.object({ since: z.coerce.number().int().nonnegative().default(0), token: z.string().optional() });

/**
 * `GET /v1/runs/:id/events`: the run's events from `since` (default: the first) replayed from the store,
 * then live, with nothing lost or repeated in between; the stream closes (1000) after the run ends.
 * `GET /v1/events`: every run's events, live. Sending never waits on a client.
 */
export function eventRoutes(app: FastifyInstance, services: Pick<ApiServices, 'store' | 'events'>): void {
  app.route({
    method: 'GET',
    url: '/v1/runs/:id/events',
    config: queryOf(runQuery),
    handler: upgradeRequired,
    wsHandler: async (socket, request) => {
      const id = (request.params as { id: string }).id;
      const query = runQuery.safeParse(request.query);
      if (!query.success) return socket.close(1008, 'since must be a whole number');
      // Asked of the storage itself: in a cluster, a run submitted to another member a moment ago exists.
      if (!(await services.store.runs.exists(id).catch(() => false)))
        return socket.close(CLOSE_NOT_FOUND, `no run with id "${id}"`);

      // Subscribe before replaying: events that arrive meanwhile wait in `pending`, then go out in order.
      let pending: RunEvent[] | undefined = [];
      let last = query.data.since;
      const deliver = (event: RunEvent, closeIfTerminal: boolean) => {
        if (event.seq <= last) return;
        last = event.seq;
        if (!send(socket, event)) return;
        if (closeIfTerminal && TERMINAL_EVENT_TYPES.has(event.type)) socket.close(1000, 'run finished');
      };
      const unsubscribe = services.events.subscribe(
        (event) => (pending ? pending.push(event) : deliver(event, true)),
        id,
      );
      socket.on('close', unsubscribe);
      // A terminal event in the replay ends the stream only if nothing follows it: a resumed run's old
      // `run-cancelled` is history, and its new execution is still to come.
      let stored: RunEvent[];
      try {
        stored = await services.events.replay(id);
      } catch (error) {
        unsubscribe();
        request.log.warn({ err: error, runId: id }, 'events not replayed');
        return socket.close(1011, 'the events cannot be read now');
      }
      const buffered = pending;
      pending = undefined;
      const known = [...stored, ...buffered.filter((event) => event.seq > (stored.at(-1)?.seq ?? 0))];
      for (const [index, event] of known.entries()) deliver(event, index === known.length - 1);
      // Following from at or past the end of a finished run: nothing to send, and nothing will come.
      const final = known.at(-1);
      if (
        final &&
        TERMINAL_EVENT_TYPES.has(final.type) &&
        final.seq <= query.data.since &&
        socket.readyState === socket.OPEN
      )
        socket.close(1000, 'run finished');
    },
  });

  app.route({
    method: 'GET',
    url: '/v1/events',
    // The token only (a browser's WebSocket cannot send an Authorization header): this stream replays nothing.
    config: { query: ['token'] },
    handler: upgradeRequired,
    wsHandler: (socket) => {
      const unsubscribe = services.events.subscribe((event) => send(socket, event));
      socket.on('close', unsubscribe);
    },
  });
}

/**
 * A plain GET on a WebSocket route (curl, a browser tab): an error in the API's shape that says how to connect,
 * where the WebSocket plugin answered an empty 404.
 */
function upgradeRequired(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const route = request.url.split('?')[0];
  return reply
    .code(426)
    .header('upgrade', 'websocket')
    .send(
      errorBody(ErrorCode.badRequest, `${route} is a WebSocket route: connect with "Upgrade: websocket"`, {
        status: 426,
      }),
    );
}

/** Sends without waiting; a client that has fallen too far behind is closed instead. */
function send(socket: WebSocket, event: RunEvent): boolean {
  if (socket.readyState !== socket.OPEN) return false;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(CLOSE_TOO_SLOW, `too slow: reconnect with ?since=${event.seq - 1}`);
    return false;
  }
  socket.send(JSON.stringify(event));
  return true;
}
