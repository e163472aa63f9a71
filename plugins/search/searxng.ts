import { z } from 'zod';
import { parsePluginOptions } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** The SearXNG instance, e.g. `http://127.0.0.1:8888`. Its settings must enable the `json` format. */
    baseURL: z.url({ error: 'expected the URL of a SearXNG instance' }),
    timeoutMs: z.number().int().positive().default(10_000),
    categories: z.string().default('general'),
  })
  .strict();

const answerSchema = z.object({
  results: z.array(
    z.object({ url: z.string(), title: z.string().default(''), content: z.string().optional().default('') }),
  ),
});

/** SearXNG, self-hosted, through its JSON API. */
const createSearxng: PluginFactory<SearchPlugin> = (raw) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  return {
    name: 'searxng',
    async search(query, { limit = 8, language, signal } = {}) {
      const body = await pluginRequest(
        'searxng',
        new URL('search', options.baseURL.endsWith('/') ? options.baseURL : `${options.baseURL}/`).toString(),
        {
          searchParams: { q: query, format: 'json', categories: options.categories, language, pageno: 1 },
          timeoutMs: options.timeoutMs,
          signal,
        },
      );
      return parseAnswer('searxng', answerSchema, body)
        .results.slice(0, limit)
        .map((result) => ({ url: result.url, title: result.title, snippet: result.content }));
    },
  };
};
export default createSearxng;
