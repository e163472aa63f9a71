import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';
import { lines, quoted, sentences } from './prompt-text.js';

/** WikiSearchAndSummarize: background of at most 100 words from one article's introduction. */
export function wikiSummaryPrompt(
  topic: string,
  article: { title: string; extract: string },
  language: string,
): ChatMessage[] {
  return [
    {
      role: 'system',
      content: sentences(
        'You write short, factual background notes from an encyclopedia text.',
        'You use only the text given.',
      ),
    },
    {
      role: 'user',
      content: lines(
        quoted('Research topic:', topic),
        '',
        quoted(`Wikipedia article "${article.title}" (introduction):`, article.extract),
        '',
        sentences(
          'Using only this introduction, write background of at most 100 words',
          `on what the reader of the research topic needs to know about "${article.title}".`,
          `Write in ${languageName(language)}.`,
          'Plain text, no heading.',
        ),
      ),
    },
  ];
}
