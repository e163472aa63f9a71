import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The query parameters the route reads; any other is refused with 400. `'any'` for the dashboard's HTML
     * pages, which read none and must not turn a browser's stray `?utm_source=` into an error page.
     * @default [] (a route without the key takes no query parameter)
     */
    query?: readonly string[] | 'any';
  }
}

/** The route config of a route whose query is parsed with `schema`: its keys are the parameters it takes. */
export function queryOf(schema: z.ZodObject): { query: readonly string[] } {
  return { query: Object.keys(schema.shape) };
}

/**
 * An `onRequest` hook, after the guards (an unauthenticated client learns nothing about the routes): a query
 * parameter the route does not read is a 400 naming it in `param`, rather than ignored. A misspelt `?limt=5`
 * or `?befor=ID` used to answer the default page as if it had been understood. A path that matches no route
 * keeps its 404.
 */
export function refuseUnknownQuery(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  // A callback hook, not an async one, that does nothing more for a URL without a query (every proxied call):
  // every request runs it, and a promise per request is measurable (`npm run bench:proxy`).
  done(request.url.includes('?') ? unknownQueryError(request) : undefined);
}

/** The 400 for the first query parameter the request's route does not take, if any. */
function unknownQueryError(request: FastifyRequest): BadRequestError | undefined {
  const path = request.routeOptions.url;
  const accepted = request.routeOptions.config.query ?? [];
  if (path === undefined || accepted === 'any') return undefined;
  const unknown = Object.keys(request.query as Record<string, unknown>).find((name) => !accepted.includes(name));
  if (unknown === undefined) return undefined;
  return new BadRequestError(
    `unknown query parameter "${unknown}": ${request.method} ${path} takes ${
      accepted.length === 0 ? 'none' : accepted.map((name) => `"${name}"`).join(', ')
    }`,
    { param: unknown },
  );
}
