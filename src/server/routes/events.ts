import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Services } from '../../daemon/services.js';
import { TERMINAL_EVENT_TYPES, type RunEvent } from '../../runs/run-event.js';

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
export function eventRoutes(app: FastifyInstance, services: Services): void {
  app.get('/v1/runs/:id/events', { websocket: true }, (socket, request) => {
    const id = (request.params as { id: string }).id;
    const query = runQuery.safeParse(request.query);
    if (!query.success) return socket.close(1008, 'since must be a whole number');
    if (!services.store.runs.has(id)) return socket.close(CLOSE_NOT_FOUND, `no run with id "${id}"`);

    // Subscribe before replaying: events that arrive meanwhile wait in `pending`, then go out in order.
    let pending: RunEvent[] | undefined = [];
    let last = query.data.since;
    const deliver = (event: RunEvent) => {
      if (event.seq <= last) return;
      last = event.seq;
      if (!send(socket, event)) return;
      if (TERMINAL_EVENT_TYPES.has(event.type)) socket.close(1000, 'run finished');
    };
    const unsubscribe = services.events.subscribe((event) => (pending ? pending.push(event) : deliver(event)), id);
    socket.on('close', unsubscribe);
    for (const event of services.events.replay(id, last)) deliver(event);
    const buffered = pending;
    pending = undefined;
    for (const event of buffered) deliver(event);
  });

  app.get('/v1/events', { websocket: true }, (socket) => {
    const unsubscribe = services.events.subscribe((event) => send(socket, event));
    socket.on('close', unsubscribe);
  });
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
