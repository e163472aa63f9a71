import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';
import { lines, quoted, sentences } from './prompt-text.js';

/** The exact answer for a page with nothing on the query; such pages are dropped from the sources. */
export const NOT_RELEVANT = 'Not relevant.';

/** WebBrowseAndSummarize: a page's relevant passages summarised for the query, facts and numbers kept. */
export function summarizePrompt(
  topic: string,
  query: string,
  page: { title: string; url: string; content: string },
  language: string,
  part?: { index: number; total: number },
): ChatMessage[] {
  const partNote = part ? ` This is part ${part.index} of ${part.total} of the page.` : '';
  return [
    {
      role: 'system',
      content: sentences(
        'You summarise web pages for a researcher.',
        'You keep facts, names, dates and numbers, and you never add what the page does not say.',
      ),
    },
    {
      role: 'user',
      content: lines(
        quoted('Topic:', topic),
        `Query: "${query}"`,
        '',
        quoted(`Page "${page.title}" (${page.url}), its passages most relevant to the query:${partNote}`, page.content),
        '',
        sentences(
          'Summarise what this page says that answers the query, with its facts and figures, in at most 200 words.',
          `Write in ${languageName(language)}.`,
          `If the page has nothing relevant to the query, answer exactly: ${NOT_RELEVANT}`,
        ),
      ),
    },
  ];
}

/** Merges the summaries of a page's parts into one. */
export function mergeSummariesPrompt(
  query: string,
  page: { title: string },
  summaries: readonly string[],
  language: string,
): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You merge partial summaries of one web page into one, keeping every fact and figure once.',
    },
    {
      role: 'user',
      content: lines(
        `Query: "${query}"`,
        `Page "${page.title}": summaries of its parts:`,
        summaries.map((summary, index) => `(${index + 1}) ${summary}`).join('\n\n'),
        '',
        sentences(
          'Merge them into one summary of at most 250 words, without repeating.',
          `Write in ${languageName(language)}.`,
          `If none has anything relevant, answer exactly: ${NOT_RELEVANT}`,
        ),
      ),
    },
  ];
}
