import type { RequestError as GotRequestError, Response } from 'got';
import { AbortError, AgentdError, BlockedAddressError, PluginError, TimeoutError } from '../../src/errors.js';
import type { SsrfGuard } from './ssrf-guard.js';

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  signal?: AbortSignal | undefined;
}

export interface FetchedBody {
  url: string;
  status: number;
  contentType: string;
  contentLanguage: string | undefined;
  body: Buffer;
}

/**
 * Downloads a URL under the SSRF guard: every hop's URL is checked, every name is resolved through the
 * guard's lookup, and the address each response actually came from is checked again. The body is capped
 * at `maxBytes` after decompression (a gzip bomb is cut off too), and the whole request at `timeoutMs`.
 */
export async function fetchPage(guard: SsrfGuard, target: string, options: FetchOptions): Promise<FetchedBody> {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new AgentdError('AGENTD_ERR_BAD_REQUEST', `not a URL: ${target}`, { cause: error, statusCode: 400 });
  }
  guard.checkURL(url);

  try {
    return await fetchOnce(guard, url, options);
  } catch (error) {
    // A kept-alive connection the server closed as it was reused: nothing was sent back, so the GET is sent
    // again on a new connection, as browsers and undici do.
    if (error instanceof StaleConnectionError) return fetchOnce(guard, url, options);
    throw error;
  }
}

/** The reused keep-alive connection was reset before any answer: the request never reached the page. */
class StaleConnectionError extends Error {}

async function fetchOnce(guard: SsrfGuard, url: URL, options: FetchOptions): Promise<FetchedBody> {
  // got is loaded with the first page: a daemon that never browses does not carry it.
  const { default: got, RequestError } = await import('got');
  const stream = got.stream(url, {
    dnsLookup: guard.lookupFor(url) as never,
    followRedirect: true,
    maxRedirects: options.maxRedirects,
    decompress: true,
    timeout: { connect: Math.min(5_000, options.timeoutMs), request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    headers: {
      'user-agent': options.userAgent,
      accept: 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5',
      'accept-language': 'en;q=0.8,*;q=0.5',
    },
    hooks: {
      beforeRedirect: [
        (redirectOptions) => {
          // Names are checked by the lookup at connect time; IP literals and schemes are checked here.
          const next = redirectOptions.url instanceof URL ? redirectOptions.url : new URL(String(redirectOptions.url));
          guard.checkURL(next);
          redirectOptions.dnsLookup = guard.lookupFor(next) as never;
        },
      ],
    },
    signal: options.signal,
  });

  return new Promise<FetchedBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let response: Response | undefined;
    const fail = (error: unknown) => {
      stream.destroy();
      const code = (error as { code?: unknown }).code;
      const stale = !response && stream.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
      reject(
        stale && !options.signal?.aborted ? new StaleConnectionError() : normalize(error, url, options, RequestError),
      );
    };
    stream.on('response', (incoming: Response) => {
      response = incoming;
      try {
        guard.checkConnected(new URL(incoming.url), incoming.socket?.remoteAddress ?? incoming.ip);
      } catch (error) {
        return fail(error);
      }
      const declared = Number(incoming.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes && !incoming.headers['content-encoding']) {
        fail(
          new PluginError('http', `page is ${declared} bytes, over browse.maxBytes (${options.maxBytes})`, {
            statusCode: 413,
          }),
        );
      }
    });
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxBytes)
        return fail(
          new PluginError('http', `page is over browse.maxBytes (${options.maxBytes} bytes)`, { statusCode: 413 }),
        );
      chunks.push(chunk);
    });
    stream.once('error', fail);
    stream.once('end', () => {
      if (!response) return reject(new PluginError('http', `no response from ${url.host}`));
      resolve({
        url: response.url,
        status: response.statusCode,
        contentType: String(response.headers['content-type'] ?? ''),
        contentLanguage: response.headers['content-language'] as string | undefined,
        body: Buffer.concat(chunks),
      });
    });
  });
}

function normalize(error: unknown, url: URL, options: FetchOptions, RequestError: typeof GotRequestError): Error {
  if (error instanceof AgentdError) return error;
  // The guard's refusal may arrive wrapped by got (thrown inside the lookup or a hook).
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof BlockedAddressError) return cause;
  if (options.signal?.aborted) return new AbortError('the page fetch was cancelled', { cause: error });
  if (error instanceof RequestError) {
    if (error.name === 'TimeoutError' || error.code === 'ETIMEDOUT')
      return new TimeoutError(`${url.host} did not answer within ${options.timeoutMs} ms`, { cause: error });
    if (error.code === 'ERR_TOO_MANY_REDIRECTS')
      return new PluginError('http', `more than ${options.maxRedirects} redirects from ${url.host}`, { cause: error });
    return new PluginError('http', `cannot fetch ${url.host} (${error.code ?? error.message})`, { cause: error });
  }
  return new PluginError('http', `cannot fetch ${url.host}: ${(error as Error).message}`, { cause: error });
}
