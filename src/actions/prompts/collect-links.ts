import type { ChatMessage } from '../../gateway/language-model.js';
import type { SearchResult } from '../../plugins/plugin-types.js';
import { languageName } from '../language.js';
import { lines, quoted, sentences } from './prompt-text.js';

function listResults(results: readonly SearchResult[]): string {
  return results.map((result, index) => `${index}. ${result.title}\n   ${result.url}\n   ${result.snippet}`).join('\n');
}

/** CollectLinks, first: up to 4 search queries from the keywords' results. */
export function queriesPrompt(
  topic: string,
  keywordResults: ReadonlyArray<{ keyword: string; results: readonly SearchResult[] }>,
  maxQueries: number,
  language: string,
): ChatMessage[] {
  const context = keywordResults
    .map((entry) => `Results for "${entry.keyword}":\n${listResults(entry.results.slice(0, 6))}`)
    .join('\n\n');
  return [
    { role: 'system', content: 'You plan web searches for a research report. You answer with JSON only.' },
    {
      role: 'user',
      content: lines(
        quoted('Topic:', topic),
        '',
        context,
        '',
        sentences(
          `Write at most ${maxQueries} web search queries that together cover what a report on this topic needs:`,
          'facts, figures, comparisons, recent developments.',
          'Each query distinct and specific.',
          `Write them in ${languageName(language)}.`,
        ),
        'Answer as JSON: {"queries": ["...", "..."]}',
      ),
    },
  ];
}

/** CollectLinks, then per query: drop irrelevant results, rank the rest by relevance and credibility. */
export function rankPrompt(topic: string, query: string, results: readonly SearchResult[]): ChatMessage[] {
  return [
    { role: 'system', content: 'You rank web search results for a researcher. You answer with JSON only.' },
    {
      role: 'user',
      content: lines(
        quoted('Topic:', topic),
        '',
        `Query: "${query}"`,
        '',
        'Results:',
        listResults(results),
        '',
        sentences(
          'Drop the results that are irrelevant to the topic (ads, unrelated pages, link farms).',
          'Rank the rest by relevance to the query and credibility of the source, best first.',
        ),
        'Answer as JSON with the result numbers: {"ranking": [3, 0, 5]}',
      ),
    },
  ];
}
