import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Statuses whose response has no body: a `Response` refuses one. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

/**
 * A `fetch` for the vendor SDKs built on node:http with keep-alive agents. The global fetch (undici) costs
 * several milliseconds of CPU per call on a busy machine, more than everything else agentd does for a
 * request (`npm run bench:proxy`); this one costs a fraction of that. It covers what the SDKs use: a string
 * or byte body, headers, an abort signal, a streamed response body. No redirects are followed (API
 * endpoints do not redirect) and no compression is asked for.
 */
export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const body = await bodyBytes(init.body);
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
        ...(signal ? { signal } : {}),
      },
      (incoming) => resolve(toResponse(incoming)),
    );
    outgoing.once('error', (error) =>
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error })),
    );
    outgoing.end(body);
  });
}

function toResponse(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const status = incoming.statusCode ?? 500;
  const body = NULL_BODY_STATUSES.has(status) ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
  if (body === null) incoming.resume();
  return new Response(body, { status, statusText: incoming.statusMessage ?? '', headers });
}

async function bodyBytes(body: RequestInit['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // FormData, Blob, streams: let the platform serialise them, as fetch would.
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** What fetch rejects with on abort: the signal's reason, else an AbortError. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
