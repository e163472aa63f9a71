import { z } from 'zod';
import type { Action } from '../team/action.js';
import { ActionName } from '../types/action-names.js';
import type { ResearchContext } from './research-context.js';
import { keywordExtractPrompt } from './prompts/keyword-extract.js';
import { askStructured } from './structured-answer.js';

const answerSchema = z.object({ keywords: z.array(z.string()).min(1, 'expected at least one keyword') });

/** At most 2 keywords of the topic (proper nouns, hard terms); the topic itself if the model cannot say. */
export const keywordExtract: Action<{ topic: string }, string[], ResearchContext, typeof ActionName.KeywordExtract> = {
  name: ActionName.KeywordExtract,
  run({ topic }, context) {
    return context.step('KeywordExtract', async () => {
      const answer = await askStructured(context, {
        action: 'KeywordExtract',
        messages: keywordExtractPrompt(topic, context.language),
        schema: answerSchema,
        maxOutputTokens: 200,
        fallback: () => ({ keywords: [topicAsKeyword(topic)] }),
        fallbackDescription: 'the topic as its own keyword',
      });
      const keywords = [...new Set(answer.keywords.map((keyword) => keyword.trim()).filter(Boolean))].slice(0, 2);
      return keywords.length > 0 ? keywords : [topicAsKeyword(topic)];
    });
  },
};

/** A long topic (an abstract) is cut to its first words: a search engine wants a query, not a paragraph. */
export function topicAsKeyword(topic: string): string {
  const words = topic.trim().split(/\s+/);
  return words.length <= 12 ? topic.trim() : words.slice(0, 12).join(' ');
}
