import { keywordExtract, topicAsKeyword } from '../actions/keyword-extract.js';
import { type WikiEntry, wikiSearchAndSummarize } from '../actions/wiki-search-and-summarize.js';
import { runAction } from '../team/action.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import type { ResearchRoleDefinition } from './research-role.js';

/**
 * The WikiResearcher: for each keyword, the best Wikipedia article and a background from it. In a team where
 * nobody extracts keywords it works from the topic itself.
 */
export const wikiResearcher: ResearchRoleDefinition = {
  publishes: [wikiSearchAndSummarize.name],
  create: (team) => ({
    name: 'wiki',
    watch: team.publishes(keywordExtract.name) ? [keywordExtract.name] : [USER_REQUIREMENT],
    async react(message, context) {
      const keywords =
        message.causeBy === keywordExtract.name ? message.payload.keywords : [topicAsKeyword(context.topic)];
      const found = await Promise.all(
        keywords.map((keyword) =>
          runAction('wiki', wikiSearchAndSummarize, { topic: context.topic, keyword }, context),
        ),
      );
      const entries = found.filter((entry): entry is WikiEntry => entry !== undefined);
      for (const entry of entries) context.record.addWiki(entry);
      return [
        createMessage({
          content: entries.map((entry) => entry.title).join(', ') || 'no article found',
          payload: { entries },
          role: 'wiki',
          causeBy: wikiSearchAndSummarize.name,
        }),
      ];
    },
  }),
};
