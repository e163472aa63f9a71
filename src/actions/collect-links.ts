import { z } from 'zod';
import { AbortError, errorMessage } from '../errors.js';
import type { SearchResult } from '../plugins/plugin-types.js';
import type { Action } from '../team/action.js';
import { ActionName } from '../types/action-names.js';
import type { ResearchContext } from './research-context.js';
import { queriesPrompt, rankPrompt } from './prompts/collect-links.js';
import { askStructured } from './structured-answer.js';

/** Queries derived from the keywords' results. @default 4 */
export const MAX_QUERIES = 4;
/** URLs kept per query after ranking. @default 4 */
export const URLS_PER_QUERY = 4;
const RESULTS_PER_SEARCH = 8;

export interface RankedQuery {
  query: string;
  results: SearchResult[];
}

export interface CollectLinksInput {
  topic: string;
  keywords: string[];
  /**
   * Called with each query's ranked links, in query order, as soon as that query and those before it are
   * ranked, so summaries start before the other queries finish.
   */
  onQuery?: (ranked: RankedQuery) => void;
}

const queriesSchema = z.object({ queries: z.array(z.string()).min(1, 'expected at least one query') });
const rankingSchema = z.object({ ranking: z.array(z.number().int().nonnegative()) });

/**
 * Searches the keywords, derives up to 4 queries from the results, searches each, and has the model drop
 * irrelevant results and rank the rest by relevance and credibility, keeping the top URLs per query.
 */
export const collectLinks: Action<CollectLinksInput, RankedQuery[], ResearchContext, typeof ActionName.CollectLinks> = {
  name: ActionName.CollectLinks,
  async run({ topic, keywords, onQuery }, context) {
    const keywordResults = await Promise.all(
      keywords.map(async (keyword) => ({ keyword, results: await search(context, keyword) })),
    );
    const queries = await context.step('CollectLinks:queries', async () => {
      const answer = await askStructured(context, {
        action: 'CollectLinks',
        messages: queriesPrompt(topic, keywordResults, MAX_QUERIES, context.language),
        schema: queriesSchema,
        maxOutputTokens: 300,
        fallback: () => ({ queries: keywords }),
        fallbackDescription: 'the keywords as queries',
      });
      return [...new Set(answer.queries.map((query) => query.trim()).filter(Boolean))].slice(0, MAX_QUERIES);
    });

    // Queries are reported in their own order, each as soon as it and every query before it are ranked: a URL
    // found by several queries is then always summarised for the same one, so a resumed or repeated run asks
    // the same prompts and replays their answers, however the rankings' calls happened to finish.
    const ranked: Array<RankedQuery | undefined> = [];
    let reported = 0;
    return Promise.all(
      queries.map(async (query, index) => {
        const results = await search(context, query);
        const kept = results.length === 0 ? [] : await rank(context, topic, query, results);
        const entry = { query, results: kept.slice(0, URLS_PER_QUERY) };
        ranked[index] = entry;
        for (let next = ranked[reported]; next; next = ranked[reported]) {
          reported += 1;
          onQuery?.(next);
        }
        return entry;
      }),
    );
  },
};

async function search(context: ResearchContext, query: string): Promise<SearchResult[]> {
  try {
    // Persisted so that a resumed run sees the same results, asks the same prompts, and replays their answers.
    return await context.step(`search:${context.language}:${query}`, async () => {
      const results = await context.search.search(query, {
        limit: RESULTS_PER_SEARCH,
        language: context.language,
        signal: context.signal,
      });
      return results.filter((result) => /^https?:\/\//i.test(result.url));
    });
  } catch (error) {
    if (error instanceof AbortError) throw error;
    context.recordError({ stage: 'CollectLinks', message: `search for "${query}" failed: ${errorMessage(error)}` });
    return [];
  }
}

async function rank(
  context: ResearchContext,
  topic: string,
  query: string,
  results: SearchResult[],
): Promise<SearchResult[]> {
  return context.step(`CollectLinks:rank:${query}`, async () => {
    const answer = await askStructured(context, {
      action: 'CollectLinks',
      messages: rankPrompt(topic, query, results),
      schema: rankingSchema,
      maxOutputTokens: 200,
      fallback: () => ({ ranking: results.map((_, index) => index) }),
      fallbackDescription: "the search engine's order",
    });
    const seen = new Set<number>();
    const ranked: SearchResult[] = [];
    for (const index of answer.ranking) {
      const result = results[index];
      if (result && !seen.has(index)) {
        seen.add(index);
        ranked.push(result);
      }
    }
    return ranked;
  });
}
