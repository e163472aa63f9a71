import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auth, buildTestApp } from '../helpers/services.js';

describe('GET /v1/openapi.json', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => ({ app, close } = await buildTestApp()));
  afterAll(() => close());

  it('describes every route with request schemas from the zod validators', async () => {
    const response = await app.inject({ url: '/v1/openapi.json', headers: auth });
    expect(response.statusCode).toBe(200);
    const document = response.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }>;
            };
          }
        >
      >;
    };
    expect(document.openapi).toBe('3.1.0');
    const routes = app.printRoutes({ commonPrefix: false });
    for (const path of [
      '/health',
      '/v1/status',
      '/v1/runs',
      '/v1/runs/{id}',
      '/v1/runs/{id}/report',
      '/v1/runs/{id}/cancel',
      '/v1/runs/{id}/resume',
      '/v1/runs/{id}/events',
      '/v1/events',
      '/v1/providers',
      '/v1/usage',
      '/v1/chat/completions',
      '/v1/models',
      '/v1/embeddings',
      '/v1/tools/search',
      '/v1/tools/browse',
      '/v1/tools/wiki',
    ]) {
      expect(document.paths[path], path).toBeDefined();
      expect(routes).toContain(path.replace('{id}', ':id').split('/').pop());
    }
    const submit = document.paths['/v1/runs']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(submit.properties ?? {})).toEqual(['topic', 'language', 'budgetUsd', 'team']);
    expect(submit.required).toEqual(['topic']);
  });
});
