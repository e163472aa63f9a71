import { type Agent, type IncomingMessage, request } from 'node:http';

/** The bearer token the proxy benches give their daemon, and send with every request. */
export const TOKEN = 'bench-token-0123456789abcdef';

/** The chat completion every proxy bench request asks for. */
export const BODY = JSON.stringify({
  model: 'local/bench',
  messages: [{ role: 'user', content: 'Say hello in one word.' }],
});

/**
 * Posts BODY to 127.0.0.1:port+path on `agent` and calls `answered` once: with the answer when its body has been
 * read to the end, or with undefined when the request failed. A callback, not a promise, so that a bench timing
 * the answer reads the clock in the same tick as the answer's end.
 */
export function postChat(
  port: number,
  path: string,
  agent: Agent,
  answered: (incoming: IncomingMessage | undefined) => void,
): void {
  const outgoing = request(
    {
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        'content-length': Buffer.byteLength(BODY),
      },
    },
    (incoming) => {
      incoming.resume();
      incoming.on('end', () => answered(incoming));
    },
  );
  outgoing.on('error', () => answered(undefined));
  outgoing.end(BODY);
}
