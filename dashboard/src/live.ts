import type { RunEvent } from './api.js';

/** Close codes after which the stream is reopened from the last event seen (network drop, too slow). */
const RECONNECT_CODES = new Set([1001, 1006, 4008]);

/**
 * Follows a WebSocket of run events (`/v1/runs/:id/events` or `/v1/events`), reopening it from the last
 * `seq` after a drop so that nothing is lost. The session cookie goes with the handshake. Returns the close.
 */
export function followEvents(
  path: string,
  handlers: { onEvent: (event: RunEvent) => void; onClose?: (code: number) => void },
  options: { resumable?: boolean } = {},
): () => void {
  let last = 0;
  let socket: WebSocket | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    const query = options.resumable && last > 0 ? `${path.includes('?') ? '&' : '?'}since=${last}` : '';
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}${query}`);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as RunEvent;
      last = Math.max(last, event.seq);
      handlers.onEvent(event);
    };
    socket.onclose = (close) => {
      if (stopped) return;
      // The stream of every run has no end: any drop is reconnected, with a pause.
      if (RECONNECT_CODES.has(close.code) || !options.resumable)
        retry = setTimeout(connect, close.code === 1006 ? 2_000 : 250);
      else handlers.onClose?.(close.code);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}
