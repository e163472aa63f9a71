import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';

/** WikiSearchAndSummarize: background of at most 100 words from one article's introduction. */
export function wikiSummaryPrompt(
  topic: string,
  article: { title: string; extract: string },
  language: string,
): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You write short, factual background notes from an encyclopedia text. You use only the text given.',
    },
    {
      role: 'user',
      content: `Research topic:\n"""\n${topic}\n"""\n\nWikipedia article "${article.title}" (introduction):\n"""\n${article.extract}\n"""\n\nUsing only this introduction, write background of at most 100 words on what the reader of the research topic needs to know about "${article.title}". Write in ${languageName(language)}. Plain text, no heading.`,
    },
  ];
}
