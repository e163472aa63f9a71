import type { z } from 'zod';
import { AbortError, PluginError } from '../src/errors.js';
import { scrubSecrets } from '../src/secrets.js';

export interface PluginRequest {
  method?: 'GET' | 'POST';
  searchParams?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * One HTTP request to a search or wiki backend. 429 and 5xx are retried twice, honouring `retry-after` up to 10 s
 * (a backend asking us to slow down is answered by slowing down, not by failing). Failures
 * become PluginError with the backend's status and text, keys scrubbed.
 */
export async function pluginRequest(plugin: string, url: string, request: PluginRequest): Promise<string> {
  const searchParams = Object.fromEntries(
    Object.entries(request.searchParams ?? {}).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    ),
  );
  // got is loaded with the first request: a daemon that never searches does not carry it.
  const { default: got, HTTPError, RequestError } = await import('got');
  try {
    const response = await got(url, {
      method: request.method ?? 'GET',
      searchParams,
      headers: { 'user-agent': 'agentd (research daemon)', ...request.headers },
      ...(request.json === undefined ? {} : { json: request.json }),
      ...(request.form === undefined ? {} : { form: request.form }),
      timeout: { request: request.timeoutMs },
      retry: {
        limit: 2,
        methods: ['GET', 'POST'],
        statusCodes: [429, 500, 502, 503, 504],
        maxRetryAfter: 10_000,
        backoffLimit: 4_000,
      },
      signal: request.signal,
    });
    return response.body;
  } catch (error) {
    if (request.signal?.aborted) throw new AbortError('the request was cancelled', { cause: error });
    if (error instanceof HTTPError) {
      const body = scrubSecrets(String(error.response.body ?? '').slice(0, 300));
      throw new PluginError(plugin, `HTTP ${error.response.statusCode} from ${new URL(url).host}: ${body}`, {
        cause: error,
      });
    }
    const code = error instanceof RequestError ? ` (${error.code})` : '';
    throw new PluginError(
      plugin,
      `request to ${new URL(url).host} failed${code}: ${scrubSecrets((error as Error).message)}`,
      { cause: error },
    );
  }
}

/** Parses a backend's JSON answer with a schema of just the fields we read. */
export function parseAnswer<T extends z.ZodType>(plugin: string, schema: T, body: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PluginError(plugin, `answer is not JSON: ${body.slice(0, 120)}`, { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success)
    throw new PluginError(plugin, `unexpected answer: ${result.error.issues[0]?.message ?? 'invalid'}`, {
      cause: result.error,
    });
  return result.data;
}
