import { AbortError, errorMessage } from '../errors.js';
import type { WikiArticle } from '../plugins/plugin-types.js';
import type { Action } from '../team/action.js';
import { ActionName } from '../types/action-names.js';
import type { ResearchContext } from './research-context.js';
import { wikiSummaryPrompt } from './prompts/wiki-search-and-summarize.js';
import { isFatalForRun } from './run-fatal.js';

export interface WikiEntry {
  keyword: string;
  title: string;
  url: string;
  summary: string;
}

/** Background words at most. */
const MAX_WORDS = 100;

/**
 * The best Wikipedia article for a keyword and a background of at most 100 words from it. No article: the
 * run's errors say so and nothing is invented.
 */
export const wikiSearchAndSummarize: Action<
  { topic: string; keyword: string },
  WikiEntry | undefined,
  ResearchContext,
  typeof ActionName.WikiSearchAndSummarize
> = {
  name: ActionName.WikiSearchAndSummarize,
  async run({ topic, keyword }, context) {
    let article: WikiArticle | null;
    try {
      article = await context.step(
        `wiki:${context.language}:${keyword}`,
        async () =>
          (await context.wiki.lookup(keyword, { language: context.language, signal: context.signal })) ?? null,
      );
    } catch (error) {
      if (error instanceof AbortError) throw error;
      context.recordError({
        stage: 'WikiSearchAndSummarize',
        message: `Wikipedia lookup for "${keyword}" failed: ${errorMessage(error)}`,
      });
      return undefined;
    }
    if (!article) {
      context.recordError({
        stage: 'WikiSearchAndSummarize',
        message: `no ${context.language} Wikipedia article found for "${keyword}"`,
      });
      return undefined;
    }
    let summary: string;
    try {
      summary = (
        await context.llm('WikiSearchAndSummarize', {
          messages: wikiSummaryPrompt(topic, article, context.language),
          maxOutputTokens: 300,
          temperature: 0.2,
        })
      ).text.trim();
    } catch (error) {
      if (isFatalForRun(error)) throw error;
      // The article's own words are a faithful background when the model cannot write one.
      context.recordError({
        stage: 'WikiSearchAndSummarize',
        message: `summary of "${article.title}" failed (${errorMessage(error)}); used the article's opening instead`,
      });
      summary = article.extract;
    }
    return {
      keyword,
      title: article.title,
      url: article.url,
      summary: limitWords(summary || article.extract, MAX_WORDS),
    };
  },
};

/** Cuts text to `max` words (CJK characters count as words). */
export function limitWords(text: string, max: number): string {
  const tokens =
    text.match(
      /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu,
    ) ?? [];
  if (tokens.length <= max) return text.trim();
  let count = 0;
  let cut = 0;
  for (const match of text.matchAll(
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu,
  )) {
    count += 1;
    if (count > max) break;
    cut = (match.index ?? 0) + match[0].length;
  }
  return `${text.slice(0, cut).trim()}…`;
}
