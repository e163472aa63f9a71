import { z } from 'zod';
import { parsePluginOptions, requireKey } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** @default $TAVILY_API_KEY */
    apiKey: z.string().optional(),
    baseURL: z.url().default('https://api.tavily.com/search'),
    searchDepth: z.enum(['basic', 'advanced']).default('basic'),
    timeoutMs: z.number().int().positive().default(15_000),
  })
  .strict();

const answerSchema = z.object({
  results: z.array(z.object({ url: z.string(), title: z.string(), content: z.string().optional().default('') })),
});

/** Tavily search API. */
const createTavily: PluginFactory<SearchPlugin> = (raw, context) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  const apiKey = requireKey('search', 'tavily', options.apiKey, 'TAVILY_API_KEY', context.env);
  return {
    name: 'tavily',
    async search(query, { limit = 8, signal } = {}) {
      const body = await pluginRequest('tavily', options.baseURL, {
        method: 'POST',
        json: { query, max_results: limit, search_depth: options.searchDepth },
        headers: { authorization: `Bearer ${apiKey}` },
        timeoutMs: options.timeoutMs,
        signal,
      });
      return parseAnswer('tavily', answerSchema, body)
        .results.slice(0, limit)
        .map((result) => ({ url: result.url, title: result.title, snippet: result.content }));
    },
  };
};
export default createTavily;
