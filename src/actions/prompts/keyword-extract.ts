import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';
import { lines, quoted, sentences } from './prompt-text.js';

/** KeywordExtract: at most 2 keywords of the topic, proper nouns and hard terms first. */
export function keywordExtractPrompt(topic: string, language: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: sentences(
        'You pick the search keywords a research assistant should look up first.',
        'You answer with JSON only.',
      ),
    },
    {
      role: 'user',
      content: lines(
        quoted('Topic:', topic),
        '',
        sentences(
          'Give at most 2 keywords for this topic:',
          'proper nouns and hard technical terms a reader would need to look up, not generic words.',
          `Write them in ${languageName(language)}.`,
        ),
        'Answer as JSON: {"keywords": ["...", "..."]}',
      ),
    },
  ];
}
