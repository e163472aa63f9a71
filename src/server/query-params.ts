import type { FastifyRequest } from 'fastify';
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
export async function refuseUnknownQuery(request: FastifyRequest): Promise<void> {
  if (request.routeOptions.url === undefined) return;
  const accepted = request.routeOptions.config.query ?? [];
  if (accepted === 'any') return;
  const unknown = Object.keys(request.query as Record<string, unknown>).find((name) => !accepted.includes(name));
  if (unknown === undefined) return;
  const path = request.routeOptions.url;
  throw new BadRequestError(
    `unknown query parameter "${unknown}": ${request.method} ${path} takes ${
      accepted.length === 0 ? 'none' : accepted.map((name) => `"${name}"`).join(', ')
    }`,
    { param: unknown },
  );
}
