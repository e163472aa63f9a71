import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';
import { lines, quoted, sentences } from './prompt-text.js';

export interface NumberedSource {
  number: number;
  title: string;
  url: string;
  text: string;
  kind: 'web' | 'wiki';
}

/** ConductResearch: the cited report from the numbered sources and the Wikipedia background. */
export function reportPrompt(topic: string, sources: readonly NumberedSource[], language: string): ChatMessage[] {
  const list = sources
    .map(
      (source) =>
        `[${source.number}] ${source.kind === 'wiki' ? 'Wikipedia: ' : ''}${source.title} (${source.url})\n${source.text}`,
    )
    .join('\n\n');
  return [
    {
      role: 'system',
      content: sentences(
        'You are a research analyst.',
        'You write well-structured, factual reports in Markdown, citing only the numbered sources you are given.',
      ),
    },
    {
      role: 'user',
      content: lines(
        quoted('Topic:', topic),
        '',
        'Sources:',
        list,
        '',
        `Write a research report on the topic from these sources only, in ${languageName(language)}:`,
        '- a title (# heading), then sections (## headings): an introduction with the background from Wikipedia, ' +
          'the main findings, and a conclusion;',
        '- concrete facts and figures; a Markdown comparison table where things are compared;',
        '- cite sources by number in square brackets right after what they support, e.g. [2] or [1][3]; ' +
          'cite only numbers from the list;',
        '- no URLs in the text and no reference list: it is added for you.',
        'Aim for 600 to 1200 words.',
      ),
    },
  ];
}
