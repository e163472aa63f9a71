import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies as fastify parses them (secure-json-parse, prototype poisoning refused), except an empty one:
 * `POST /v1/runs/:id/cancel` with `content-type: application/json` and no body, as generic HTTP clients send
 * it, is a request without a body rather than a 400. A route that needs a body still refuses `undefined` in
 * its own validation, with the parameter named.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parse(request, body as string, done);
  });
}
