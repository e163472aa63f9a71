import { ACCEPT_ENCODING, type HttpAnswer, sendRequest } from './http-transport.js';
import { decodedAnswer } from './response-decoding.js';
import { webBody } from './web-body.js';

/** Statuses whose response has no body: a `Response` refuses one. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/**
 * A `fetch` for the vendor SDKs on `sendRequest` (undici's dispatcher, keep-alive). The global fetch (undici's
 * WHATWG fetch) costs several milliseconds of CPU per call on a busy machine, more than everything else agentd
 * does for a request (`npm run bench:proxy`); this one costs a fraction of that. It covers what the SDKs use: a
 * string or byte body, headers, an abort signal, a streamed response body. Like fetch, it asks for and decodes
 * gzip, deflate and br. It follows 307 and 308 (method and body kept) within the same origin only: another
 * origin would receive the API key, and 301/302/303 would turn a POST into a GET; those are answered as
 * they came, and the SDK reports them.
 */
export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const headers: Record<string, string> = { 'accept-encoding': ACCEPT_ENCODING };
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const body = await bodyBytes(init.body);
  if (body !== undefined) headers['content-length'] = String(body.byteLength);
  const answer = await sendRequest(url, {
    method: init.method ?? 'GET',
    headers,
    body,
    signal: init.signal ?? undefined,
  });
  return toResponse(answer);
}

function toResponse(answer: HttpAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const status = answer.statusCode;
  if (NULL_BODY_STATUSES.has(status)) answer.body.discard();
  const body = NULL_BODY_STATUSES.has(status) ? null : webBody(decodedAnswer(answer));
  return new Response(body, { status, statusText: answer.statusMessage, headers });
}

async function bodyBytes(body: RequestInit['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // FormData, Blob, streams: let the platform serialise them, as fetch would.
  return new Uint8Array(await new Response(body).arrayBuffer());
}
