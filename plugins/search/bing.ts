import { z } from 'zod';
import { parsePluginOptions, requireKey } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** @default $BING_API_KEY */
    apiKey: z.string().optional(),
    baseURL: z.url().default('https://api.bing.microsoft.com/v7.0/search'),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const answerSchema = z.object({
  webPages: z
    .object({
      value: z.array(z.object({ url: z.string(), name: z.string(), snippet: z.string().optional().default('') })),
    })
    .optional(),
});

/** Bing Web Search API v7. */
const createBing: PluginFactory<SearchPlugin> = (raw, context) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  const apiKey = requireKey('search', 'bing', options.apiKey, 'BING_API_KEY', context.env);
  return {
    name: 'bing',
    async search(query, { limit = 8, language, signal } = {}) {
      const body = await pluginRequest('bing', options.baseURL, {
        searchParams: { q: query, count: Math.min(limit, 50), setLang: language },
        headers: { 'ocp-apim-subscription-key': apiKey },
        timeoutMs: options.timeoutMs,
        signal,
      });
      const answer = parseAnswer('bing', answerSchema, body);
      return (answer.webPages?.value ?? [])
        .slice(0, limit)
        .map((page) => ({ url: page.url, title: page.name, snippet: page.snippet }));
    },
  };
};
export default createBing;
