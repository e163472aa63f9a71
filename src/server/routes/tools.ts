import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiServices } from '../api-services.js';
import { NotFoundError } from '../../errors.js';
import { countTokensSliced } from '../../text/token-count.js';
import { parseInput } from '../validate.js';

export const searchBody = z.object({
  query: z.string().trim().min(1, 'expected a query'),
  limit: z.number().int().min(1).max(50).default(8),
  language: z.string().min(2).max(12).optional(),
});
export const browseBody = z.object({ url: z.string().min(1, 'expected a URL') });
export const wikiBody = z.object({
  query: z.string().trim().min(1, 'expected a query'),
  lang: z
    .string()
    .regex(/^[a-z-]{2,12}$/, 'expected a language code like "en"')
    .default('en'),
});

/**
 * `POST /v1/tools/search`, `/v1/tools/browse`, `/v1/tools/wiki`: the configured plugins, for scripts.
 * 400 malformed input, 403 a refused address, 404 nothing found, 502 the upstream failed (with its cause).
 */
export function toolRoutes(app: FastifyInstance, services: Pick<ApiServices, 'plugins'>): void {
  app.post('/v1/tools/search', async (request) => {
    const body = parseInput(searchBody, request.body);
    const results = await services.plugins.search.search(body.query, { limit: body.limit, language: body.language });
    return { results };
  });

  app.post('/v1/tools/browse', async (request) => {
    const body = parseInput(browseBody, request.body);
    const page = await services.plugins.browse.browse(body.url);
    return {
      url: page.url,
      title: page.title,
      byline: page.byline,
      lang: page.lang,
      content: page.content,
      // A plain-text page is not counted by the extraction workers; it may be megabytes: counted in slices.
      tokens: page.tokens ?? (await countTokensSliced(page.content)),
      contentType: page.contentType,
      publishedTime: page.publishedTime,
    };
  });

  app.post('/v1/tools/wiki', async (request) => {
    const body = parseInput(wikiBody, request.body);
    const article = await services.plugins.wiki.lookup(body.query, { language: body.lang });
    if (!article) throw new NotFoundError(`no ${body.lang} article matches "${body.query}"`);
    return article;
  });
}
