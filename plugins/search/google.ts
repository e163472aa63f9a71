import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { parsePluginOptions, requireKey } from '../../src/plugins/plugin-options.js';
import type { PluginFactory, SearchPlugin } from '../../src/plugins/plugin-types.js';
import { parseAnswer, pluginRequest } from '../http-client.js';

const optionsSchema = z
  .object({
    use: z.string(),
    /** @default $GOOGLE_API_KEY */
    apiKey: z.string().optional(),
    /** The Programmable Search Engine id. @default $GOOGLE_CSE_ID */
    cx: z.string().optional(),
    baseURL: z.url().default('https://www.googleapis.com/customsearch/v1'),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const answerSchema = z.object({
  items: z
    .array(z.object({ link: z.string(), title: z.string(), snippet: z.string().optional().default('') }))
    .default([]),
});

/** Google Custom Search JSON API (at most 10 results a request). */
const createGoogle: PluginFactory<SearchPlugin> = (raw, context) => {
  const options = parsePluginOptions('search', optionsSchema, raw);
  const apiKey = requireKey('search', 'google', options.apiKey, 'GOOGLE_API_KEY', context.env);
  const cx = options.cx ?? context.env.GOOGLE_CSE_ID;
  if (!cx)
    throw new ConfigError([
      {
        path: 'plugins.search.cx',
        message: 'the google plugin needs a search engine id: set GOOGLE_CSE_ID or plugins.search.cx',
      },
    ]);
  return {
    name: 'google',
    async search(query, { limit = 8, language, signal } = {}) {
      const body = await pluginRequest('google', options.baseURL, {
        searchParams: {
          key: apiKey,
          cx,
          q: query,
          num: Math.min(limit, 10),
          lr: language ? `lang_${language}` : undefined,
        },
        timeoutMs: options.timeoutMs,
        signal,
      });
      return parseAnswer('google', answerSchema, body)
        .items.slice(0, limit)
        .map((item) => ({ url: item.link, title: item.title, snippet: item.snippet }));
    },
  };
};
export default createGoogle;
