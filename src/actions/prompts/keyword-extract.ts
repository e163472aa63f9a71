import type { ChatMessage } from '../../gateway/language-model.js';
import { languageName } from '../language.js';

/** KeywordExtract: at most 2 keywords of the topic, proper nouns and hard terms first. */
export function keywordExtractPrompt(topic: string, language: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You pick the search keywords a research assistant should look up first. You answer with JSON only.',
    },
    {
      role: 'user',
      content: `Topic:\n"""\n${topic}\n"""\n\nGive at most 2 keywords for this topic: proper nouns and hard technical terms a reader would need to look up, not generic words. Write them in ${languageName(language)}.\nAnswer as JSON: {"keywords": ["...", "..."]}`,
    },
  ];
}
