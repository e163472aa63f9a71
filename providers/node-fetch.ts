import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { abortReason, type CancelSignal } from '../src/gateway/cancel-signal.js';
import { decodedBody } from './response-decoding.js';
import { webBody } from './web-body.js';

/** Statuses whose response has no body: a `Response` refuses one. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Redirects that keep the method and body, so a POST can follow them unchanged. */
const REPEATING_REDIRECTS = new Set([307, 308]);
/** More than a moved endpoint needs; a loop ends here with the last redirect as the answer. */
const MAX_REDIRECTS = 5;
/** What undici's fetch asks for, so a provider answers as it would to any Node client. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

/**
 * A `fetch` for the vendor SDKs built on node:http with keep-alive agents. The global fetch (undici) costs
 * several milliseconds of CPU per call on a busy machine, more than everything else agentd does for a
 * request (`npm run bench:proxy`); this one costs a fraction of that. It covers what the SDKs use: a string
 * or byte body, headers, an abort signal, a streamed response body. Like fetch, it asks for and decodes
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
  const incoming = await sendRequest(url, {
    method: init.method ?? 'GET',
    headers,
    body,
    signal: init.signal ?? undefined,
  });
  return toResponse(incoming);
}

/** What `sendRequest` sends. */
export interface SendOptions {
  method: string;
  /** Sent as they are: add `accept-encoding` (ACCEPT_ENCODING) and `content-length` yourself. */
  headers: Record<string, string>;
  body?: Uint8Array | undefined;
  signal?: CancelSignal | undefined;
  /** Until the response's head has arrived, redirects included; absent, no limit. */
  timeoutMs?: number | undefined;
}

/** A request that had no response head within its `timeoutMs`: the cause of `sendRequest`'s TypeError. */
export class RequestTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no response within ${timeoutMs} ms: timed out`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * One request on the keep-alive agents, resolved with the response's head (its body still to read, through
 * `decodedBody`), following 307/308 within the origin as `nodeFetch` does. It fails as fetch does: with the
 * signal's reason when aborted, else a `TypeError('fetch failed')` whose cause says why. Callers that need no
 * `Response` (the OpenAI provider's calls) use it directly and skip the web streams.
 */
export async function sendRequest(url: URL, options: SendOptions): Promise<IncomingMessage> {
  const deadline = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
  for (let redirects = 0; ; redirects += 1) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const incoming = await send(url, options, deadline);
    const location = incoming.headers.location;
    const next = location && REPEATING_REDIRECTS.has(incoming.statusCode ?? 0) ? new URL(location, url) : undefined;
    if (!next || next.origin !== url.origin || redirects === MAX_REDIRECTS) return incoming;
    // The redirect's own body is not wanted; reading it to the end frees the keep-alive socket.
    incoming.resume();
    url = next;
  }
}

function send(url: URL, options: SendOptions, deadline: number | undefined): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const { signal } = options;
  return new Promise<IncomingMessage>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const target = targetOf(url);
    // Built field by field: one object per call, the URL's part read once per URL (see `targetOf`).
    const requestOptions: RequestOptions = {
      protocol: target.protocol,
      hostname: target.hostname,
      path: target.path,
      method: options.method,
      headers: options.headers,
      agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
    };
    if (target.port !== undefined) requestOptions.port = target.port;
    if (target.auth !== undefined) requestOptions.auth = target.auth;
    const outgoing = request(requestOptions, (incoming) => {
      clearTimeout(timer);
      resolve(incoming);
    });
    if (deadline !== undefined) {
      const timeoutMs = options.timeoutMs ?? 0;
      // Whole milliseconds: Node keeps a list of timers per duration, and a fraction would make one per call.
      timer = setTimeout(
        () => outgoing.destroy(new RequestTimeoutError(timeoutMs)),
        Math.max(0, Math.ceil(deadline - performance.now())),
      );
    }
    outgoing.once('error', (error) => {
      clearTimeout(timer);
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
    });
    if (signal) {
      // Watched here rather than given to `request`, which adds `finished()` to the request on top of a
      // listener: a cost on every proxied call. The request closes once its response has been read or failed.
      const onAbort = () => outgoing.destroy(new DOMException('This operation was aborted', 'AbortError'));
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    outgoing.end(options.body);
  });
}

/** Where a request for a URL goes, as `request` takes it (what `urlToHttpOptions` makes of the URL). */
interface Target {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  auth: string | undefined;
}

/**
 * Each URL's target, read once: the OpenAI provider sends every call to one of a few `URL`s it keeps, and
 * `request(url, options)` would read the URL into a new object and merge the options into it on every call.
 */
const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  let target = targets.get(url);
  if (!target) {
    const { hostname } = url;
    target = {
      protocol: url.protocol,
      // An IPv6 literal's brackets are the URL's, not the host's.
      hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `${url.pathname}${url.search}`,
      auth:
        url.username || url.password
          ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
          : undefined,
    };
    targets.set(url, target);
  }
  return target;
}

function toResponse(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const status = incoming.statusCode ?? 500;
  if (NULL_BODY_STATUSES.has(status)) incoming.resume();
  const body = NULL_BODY_STATUSES.has(status)
    ? null
    : webBody(decodedBody(incoming, incoming.headers['content-encoding']));
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
