import { z } from 'zod';
import { parsePluginOptions, requireKey } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** @default $SERPER_API_KEY */
    apiKey: z.string().optional(),
    baseURL: z.url().default('https://google.serper.dev/search'),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const answerSchema = z.object({
  organic: z
    .array(z.object({ link: z.string(), title: z.string(), snippet: z.string().optional().default('') }))
    .default([]),
});

/** Serper (Google results) API. */
const createSerper: PluginFactory<SearchPlugin> = (raw, context) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  const apiKey = requireKey('search', 'serper', options.apiKey, 'SERPER_API_KEY', context.env);
  return {
    name: 'serper',
    async search(query, { limit = 8, language, signal } = {}) {
      const body = await pluginRequest('serper', options.baseURL, {
        method: 'POST',
        json: { q: query, num: limit, ...(language ? { hl: language } : {}) },
        headers: { 'x-api-key': apiKey },
        timeoutMs: options.timeoutMs,
        signal,
      });
      return parseAnswer('serper', answerSchema, body)
        .organic.slice(0, limit)
        .map((result) => ({ url: result.link, title: result.title, snippet: result.snippet }));
    },
  };
};
export default createSerper;
