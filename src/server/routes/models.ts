import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../api-services.js';
import { NotFoundError } from '../../errors.js';

/**
 * `GET /v1/models` and `GET /v1/models/{provider/model}` in OpenAI's shape, so that clients which discover
 * models (Open WebUI, LibreChat, Continue, `client.models.list()`) find the daemon's. The id may come
 * URL-encoded (`openai%2Fgpt-4o`, as the SDKs send it) or with its slash as it is.
 */
export function modelRoutes(app: FastifyInstance, services: Pick<ApiServices, 'startedAt' | 'models'>): void {
  const created = Math.floor(services.startedAt.getTime() / 1000);
  const shape = (model: { id: string; provider: string }) => ({
    id: model.id,
    object: 'model',
    created,
    owned_by: model.provider,
  });

  app.get('/v1/models', async () => ({ object: 'list', data: (await services.models.list()).map(shape) }));

  app.get('/v1/models/*', async (request) => {
    const id = (request.params as { '*': string })['*'];
    const model = await services.models.find(id);
    if (!model) throw new NotFoundError(`no model "${id}": GET /v1/models lists them`);
    return shape(model);
  });
}
