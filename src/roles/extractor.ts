import { keywordExtract } from '../actions/keyword-extract.js';
import { runAction } from '../team/action.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import type { ResearchRoleDefinition } from './research-role.js';

/** The Extractor: from the user's topic, at most 2 keywords for the others to research. */
export const extractor: ResearchRoleDefinition = {
  publishes: [keywordExtract.name],
  create: () => ({
    name: 'extractor',
    watch: [USER_REQUIREMENT],
    async react(_message, context) {
      const keywords = await runAction('extractor', keywordExtract, { topic: context.topic }, context);
      context.record.setKeywords(keywords);
      return [
        createMessage({
          content: keywords.join(', '),
          payload: { keywords },
          role: 'extractor',
          causeBy: keywordExtract.name,
        }),
      ];
    },
  }),
};
