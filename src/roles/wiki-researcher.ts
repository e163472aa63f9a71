import { keywordExtract, topicAsKeyword } from '../actions/keyword-extract.js';
import { wikiSearchAndSummarize, type WikiEntry } from '../actions/wiki-search-and-summarize.js';
import { runAction } from '../team/action.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import type { RoleFactory } from '../team/role.js';

/**
 * The WikiResearcher: for each keyword, the best Wikipedia article and a background from it. Without an
 * extractor in the team it works from the topic itself.
 */
export const createWikiResearcher: RoleFactory = (team) => ({
  name: 'wiki',
  watch: team.includes('extractor') ? [keywordExtract.name] : [USER_REQUIREMENT],
  async react(message, context) {
    const keywords = (message.payload as { keywords?: string[] } | undefined)?.keywords ?? [
      topicAsKeyword(context.topic),
    ];
    const found = await Promise.all(
      keywords.map((keyword) => runAction('wiki', wikiSearchAndSummarize, { topic: context.topic, keyword }, context)),
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
});
