import { z } from 'zod';
import { parsePluginOptions, requireKey } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** @default $BRAVE_API_KEY */
    apiKey: z.string().optional(),
    baseURL: z.url().default('https://api.search.brave.com/res/v1/web/search'),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const answerSchema = z.object({
  web: z
    .object({
      results: z.array(
        z.object({ url: z.string(), title: z.string(), description: z.string().optional().default('') }),
      ),
    })
    .optional(),
});

/** Brave Search API. */
const createBrave: PluginFactory<SearchPlugin> = (raw, context) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  const apiKey = requireKey('search', 'brave', options.apiKey, 'BRAVE_API_KEY', context.env);
  return {
    name: 'brave',
    async search(query, { limit = 8, language, signal } = {}) {
      const body = await pluginRequest('brave', options.baseURL, {
        searchParams: { q: query, count: Math.min(limit, 20), search_lang: language },
        headers: { 'x-subscription-token': apiKey, accept: 'application/json' },
        timeoutMs: options.timeoutMs,
        signal,
      });
      const answer = parseAnswer('brave', answerSchema, body);
      return (answer.web?.results ?? [])
        .slice(0, limit)
        .map((result) => ({ url: result.url, title: result.title, snippet: stripTags(result.description) }));
    },
  };
};
export default createBrave;

/** Brave marks matches with <strong>: snippets are plain text for us. */
function stripTags(text: string): string {
  return text.replace(/<[^>]+>/g, '');
}
