import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: <T = Record<string, unknown>>() => T;
}

export type WireHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface WireServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1, port 0, answering with `handler` (got's `withServer` pattern): tests point
 * real SDKs and plugins at it through their base URL.
 */
export async function startWireServer(handler: WireHandler): Promise<WireServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, response)).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(599);
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Writes server-sent events, one `data:` line each, then ends. */
export function sendSse(
  response: ServerResponse,
  events: Array<{ event?: string; data: unknown }>,
  headers: Record<string, string> = {},
): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
  for (const event of events) {
    if (event.event) response.write(`event: ${event.event}\n`);
    response.write(`data: ${typeof event.data === 'string' ? event.data : JSON.stringify(event.data)}\n\n`);
  }
  response.end();
}

/** Writes newline-delimited JSON (Ollama's streaming format). */
export function sendNdjson(response: ServerResponse, lines: unknown[], status = 200): void {
  response.writeHead(status, { 'content-type': 'application/x-ndjson' });
  for (const line of lines) response.write(`${JSON.stringify(line)}\n`);
  response.end();
}
