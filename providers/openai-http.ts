import type { Readable } from 'node:stream';
import OpenAI from 'openai';
import { VERSION } from 'openai/version';
import { ACCEPT_ENCODING, type HttpAnswer, RequestTimeoutError, sendRequest } from './http-transport.js';
import { decodedAnswer } from './response-decoding.js';
import { sseData } from './sse-events.js';
import type { CancelSignal } from '../src/gateway/cancel-signal.js';

/** What the OpenAI provider's HTTP calls are built from (the same settings its SDK client gets). */
export interface OpenAIHttpOptions {
  baseURL: string;
  apiKey: string;
  organization?: string | undefined;
  /** The config's `headers`, sent on every call after agentd's own (so they may replace them). */
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
}

/** A call's answer: its body and its headers, lower-cased (the limiter reads the rate-limit ones). */
export interface OpenAIAnswer<T> {
  data: T;
  headers: Record<string, string>;
}

/**
 * The OpenAI provider's calls on the wire, without the SDK: a JSON POST on `sendRequest` (undici's dispatcher,
 * keep-alive) and its answer read as JSON or as server-sent events. openai-node's per-call work (request options, header
 * building, debug formatting, a `Response` and web streams per body) was most of agentd's own CPU per proxied
 * call (`npm run bench:proxy`). What it sends and how it fails are the SDK's: the same headers that matter,
 * and errors thrown as the SDK's own classes (`APIError.generate` by status, `APIConnectionError`,
 * `APIConnectionTimeoutError`, `APIUserAbortError`), so the provider normalises them as before.
 */
export class OpenAIHttp {
  readonly #baseURL: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  /** Each endpoint's URL, built once. */
  readonly #urls = new Map<string, URL>();

  constructor(options: OpenAIHttpOptions) {
    this.#baseURL = options.baseURL.endsWith('/') ? options.baseURL : `${options.baseURL}/`;
    this.#timeoutMs = options.timeoutMs;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      'accept-encoding': ACCEPT_ENCODING,
      // The SDK's user agent: servers that recognise openai-node clients see no change.
      'user-agent': `OpenAI/JS ${VERSION}`,
      authorization: `Bearer ${options.apiKey}`,
    };
    if (options.organization) headers['openai-organization'] = options.organization;
    // The SDK reads the project from the environment when none is configured; so does this.
    const project = process.env.OPENAI_PROJECT_ID;
    if (project) headers['openai-project'] = project;
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    this.#headers = headers;
  }

  /** POSTs `body` to `path` (below the base URL) and reads the answer as JSON. */
  async postJson<T>(path: string, body: unknown, signal: CancelSignal | undefined): Promise<OpenAIAnswer<T>> {
    const answer = await this.#post(path, body, signal);
    const headers = headerRecord(answer.headers);
    const contentType = headers['content-type'] ?? '';
    const text = await readText(answer, signal);
    if (!isJson(contentType)) throw new Error(`expected a JSON answer, got content-type "${contentType}"`);
    return { data: JSON.parse(text) as T, headers };
  }

  /**
   * POSTs `body` to `path` and returns the answer's server-sent events, each event's data as a string; a JSON
   * answer instead is one event, its whole body.
   */
  async postEvents(
    path: string,
    body: unknown,
    signal: CancelSignal | undefined,
  ): Promise<OpenAIAnswer<AsyncGenerator<string>>> {
    const answer = await this.#post(path, body, signal);
    const headers = headerRecord(answer.headers);
    // A server that ignores `stream: true` answers one JSON document: it is the only "event", whole, so that
    // its answer and usage are not lost (read as events, it holds none).
    if (isJson(headers['content-type'] ?? '')) return { data: oneEvent(readText(answer, signal)), headers };
    const source = decodedAnswer(answer);
    return { data: sseData(source), headers };
  }

  #url(path: string): URL {
    let url = this.#urls.get(path);
    if (!url) {
      url = new URL(path, this.#baseURL);
      this.#urls.set(path, url);
    }
    return url;
  }

  /** Sends the request; a failure status is thrown as the SDK's error for it, with its body read. */
  async #post(path: string, body: unknown, signal: CancelSignal | undefined): Promise<HttpAnswer> {
    if (signal?.aborted) throw new OpenAI.APIUserAbortError();
    const bytes = Buffer.from(JSON.stringify(body));
    // Copied, then the length set: `{ ...this.#headers, 'content-length': ... }` would be allocated in the old
    // generation by Node 20's V8 and keep what it points to through the young collections (see `queueRequest`).
    const headers = Object.assign({}, this.#headers);
    headers['content-length'] = String(bytes.byteLength);
    let answer: HttpAnswer;
    try {
      answer = await sendRequest(this.#url(path), {
        method: 'POST',
        headers,
        body: bytes,
        signal,
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      throw connectionError(error, signal);
    }
    const status = answer.statusCode;
    if (status >= 200 && status < 300) return answer;
    const text = await readText(answer, signal).catch((error: unknown) =>
      error instanceof Error ? error.message : String(error),
    );
    const json = safeJson(text);
    throw OpenAI.APIError.generate(
      status,
      json as Record<string, unknown> | undefined,
      json === undefined ? text : undefined,
      new Headers(headerRecord(answer.headers)),
    );
  }
}

/** The SDK's error for a call that got no response: cancelled, timed out, or not connected. */
function connectionError(error: unknown, signal: CancelSignal | undefined): Error {
  if (signal?.aborted) return new OpenAI.APIUserAbortError();
  const cause = (error as { cause?: unknown }).cause;
  // As the SDK decides it: its own timeout, or an error whose text says it timed out (a connect timeout).
  if (cause instanceof RequestTimeoutError || /timed? ?out/i.test(`${String(error)}${String(cause)}`)) {
    return new OpenAI.APIConnectionTimeoutError();
  }
  return new OpenAI.APIConnectionError({ cause: error instanceof Error ? error : new Error(String(error)) });
}

/**
 * The whole body, content codings undone; a body cut short or cancelled fails as a fetch body does. An answer
 * without a content coding (a local server's, most often) is read whole, with no stream set up for it.
 */
async function readText(answer: HttpAnswer, signal: CancelSignal | undefined): Promise<string> {
  try {
    if (!answer.headers['content-encoding']) return (await answer.body.bytes()).toString('utf8');
    return await streamText(decodedAnswer(answer));
  } catch (error) {
    throw signal?.aborted ? new OpenAI.APIUserAbortError() : error;
  }
}

function streamText(source: Readable): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    source.on('data', (chunk: Buffer) => chunks.push(chunk));
    source.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    source.once('error', reject);
    // A decoder closed before its end (its source cut short) may close without 'error'.
    source.once('close', () => {
      if (!source.readableEnded) reject(new Error('terminated'));
    });
  });
}

async function* oneEvent(text: Promise<string>): AsyncGenerator<string> {
  yield await text;
}

function isJson(contentType: string): boolean {
  return contentType.split(';')[0]?.trim() === 'application/json' || contentType.includes('+json');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Response headers as one string each (repeated ones joined, as a fetch `Headers` joins them). */
function headerRecord(headers: HttpAnswer['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}
