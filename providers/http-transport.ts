import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import { abortReason, type CancelSignal } from '../src/gateway/cancel-signal.js';

/** Redirects that keep the method and body, so a POST can follow them unchanged. */
const REPEATING_REDIRECTS = new Set([307, 308]);
/** More than a moved endpoint needs; a loop ends here with the last redirect as the answer. */
const MAX_REDIRECTS = 5;
/** What undici's fetch asks for, so a provider answers as it would to any Node client. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Every provider call's connections: keep-alive pools per origin, on undici's dispatcher. On node:http's client
 * (`ClientRequest`, its agent and its streams) the daemon spent 0.202-0.209 ms of CPU per proxied call at best,
 * on undici's `dispatch` 0.164-0.168 ms (16 calls in flight, the daemon on a core of its own); in the open loop
 * at 3,000 requests/s, a median of 0.229 against 0.256 ms (docs/BENCHMARKS.md). The cost is memory: 2-5 MB more
 * at rest, and a passing peak at the first call while V8 optimises undici's WebAssembly HTTP parser; `Agent` is
 * loaded on its own for that reason (`undici-agent.d.ts`). undici's own timeouts are off: `timeoutMs` bounds the
 * wait for the head, connecting included, and a streamed answer may be silent for minutes (a reasoning model
 * thinking), which node:http allowed too. Idle connections close after the server's keep-alive hint (undici's
 * default, 4 s without one), so a call never goes out on a socket the server has already dropped.
 */
const dispatcher = new Agent({ connections: 256, headersTimeout: 0, bodyTimeout: 0 });

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

/** A response's head, and its body still arriving. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Lower-case names; a header sent more than once is an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** As it came: its content codings are the reader's to undo (`decodedAnswer`). */
  readonly body: AnswerBody;
}

/** A request that had no response head within its `timeoutMs`: the cause of `sendRequest`'s TypeError. */
export class RequestTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no response within ${timeoutMs} ms: timed out`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * One request, resolved with the response's head (its body still to read), following 307/308 within the origin.
 * It fails as fetch does: with the signal's reason when aborted, else a `TypeError('fetch failed')` whose cause
 * says why. `nodeFetch` builds a `Response` on it for the vendor SDKs; the OpenAI provider's calls use it directly
 * and read a JSON answer whole, without a stream.
 */
export async function sendRequest(url: URL, options: SendOptions): Promise<HttpAnswer> {
  const deadline = options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs;
  for (let redirects = 0; ; redirects += 1) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const answer = await send(url, options, deadline);
    const location = answer.headers.location;
    const next =
      typeof location === 'string' && REPEATING_REDIRECTS.has(answer.statusCode) ? new URL(location, url) : undefined;
    if (!next || next.origin !== url.origin || redirects === MAX_REDIRECTS) return answer;
    // The redirect's own body is not wanted; its end frees the keep-alive connection.
    answer.body.discard();
    url = next;
  }
}

function send(url: URL, options: SendOptions, deadline: number | undefined): Promise<HttpAnswer> {
  const { signal } = options;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let controller: Dispatcher.DispatchController | undefined;
    /** Why the call stopped before undici handed over its controller (it does so on a later turn). */
    let stoppedEarly: Error | undefined;
    let answer: HttpAnswer | undefined;
    const stop = (reason: Error) => {
      if (controller) controller.abort(reason);
      else stoppedEarly ??= reason;
    };
    const onAbort = () => stop(new DOMException('This operation was aborted', 'AbortError'));
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    // Both before the dispatch, which may fail at once (a header undici refuses) and settle the call.
    if (deadline !== undefined) {
      const timeoutMs = options.timeoutMs ?? 0;
      // Whole milliseconds: Node keeps a list of timers per duration, and a fraction would make one per call.
      timer = setTimeout(
        () => stop(new RequestTimeoutError(timeoutMs)),
        Math.max(0, Math.ceil(deadline - performance.now())),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const target = targetOf(url);
    let headers = options.headers;
    if (target.basicAuth !== undefined && headers.authorization === undefined) {
      headers = { ...headers, authorization: target.basicAuth };
    }
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: options.method, headers, body: options.body ?? null },
      {
        onRequestStart(started) {
          controller = started;
          if (stoppedEarly) started.abort(stoppedEarly);
        },
        onResponseStart(started, statusCode, headers, statusMessage) {
          // 1xx heads (103 Early Hints) come before the real one.
          if (statusCode < 200) return;
          clearTimeout(timer);
          answer = { statusCode, statusMessage: statusMessage ?? '', headers, body: new AnswerBody(started) };
          resolve(answer);
        },
        onResponseData(_started, chunk) {
          answer?.body.push(chunk);
        },
        onResponseEnd() {
          settle();
          answer?.body.end();
        },
        onResponseError(_started, error) {
          settle();
          if (signal?.aborted) {
            const reason = abortReason(signal);
            if (answer) answer.body.fail(reason instanceof Error ? reason : new Error(String(reason)));
            else reject(reason);
          } else if (answer) answer.body.fail(error);
          else reject(new TypeError('fetch failed', { cause: error }));
        },
      },
    );
  });
}

/** Where a request for a URL goes, as undici's dispatcher takes it. */
interface Target {
  origin: string;
  path: string;
  /** Credentials in the URL (`http://user:pass@host/v1`), sent as node:http and fetch send them. */
  basicAuth: string | undefined;
}

/**
 * Each URL's target, read once: the OpenAI provider sends every call to one of a few `URL`s it keeps, and a URL's
 * parts are getters that build a new string on every read.
 */
const targets = new WeakMap<URL, Target>();

function targetOf(url: URL): Target {
  let target = targets.get(url);
  if (!target) {
    const credentials =
      url.username || url.password
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined;
    target = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      basicAuth: credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`,
    };
    targets.set(url, target);
  }
  return target;
}

/**
 * A response body as it arrives, read once: whole (`bytes`), as a stream (`stream`), or dropped (`discard`).
 * Its chunks are kept until the reader chooses. Read whole, a JSON answer never goes through a stream (most of
 * what a stream costs per call is its setup); read as a stream, a reader that falls behind pauses the connection,
 * and one that stops early (an aborted call) closes it.
 */
export class AnswerBody {
  readonly #controller: Dispatcher.DispatchController;
  #chunks: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;
  #stream: Readable | undefined;
  #whole: { resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined;
  #discarded = false;

  constructor(controller: Dispatcher.DispatchController) {
    this.#controller = controller;
  }

  /** The whole body, once it has all arrived. */
  bytes(): Promise<Buffer> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(this.#take());
    return new Promise<Buffer>((resolve, reject) => {
      this.#whole = { resolve, reject };
    });
  }

  /** The body as a Node stream, from its first byte. */
  stream(): Readable {
    const stream = new Readable({
      read: () => this.#controller.resume(),
      destroy: (error, callback) => {
        // Stopped by its reader before the end: nothing will read the rest, so the connection goes.
        if (!this.#ended && !this.#error) this.#controller.abort(error ?? new Error('the response body was closed'));
        callback(error);
      },
    });
    this.#stream = stream;
    for (const chunk of this.#chunks) stream.push(chunk);
    this.#chunks = [];
    if (this.#error) stream.destroy(this.#error);
    else if (this.#ended) stream.push(null);
    return stream;
  }

  /** Nothing will read it: what arrives is dropped, and its end frees the connection. */
  discard(): void {
    this.#discarded = true;
    this.#chunks = [];
  }

  /** @internal From the dispatch handler. */
  push(chunk: Buffer): void {
    if (this.#discarded) return;
    if (this.#stream) {
      if (!this.#stream.push(chunk)) this.#controller.pause();
    } else this.#chunks.push(chunk);
  }

  /** @internal */
  end(): void {
    this.#ended = true;
    if (this.#stream) this.#stream.push(null);
    else this.#whole?.resolve(this.#take());
  }

  /** @internal */
  fail(error: Error): void {
    this.#error = error;
    if (this.#stream) this.#stream.destroy(error);
    else this.#whole?.reject(error);
  }

  #take(): Buffer {
    const bytes = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    this.#chunks = [];
    return bytes;
  }
}
