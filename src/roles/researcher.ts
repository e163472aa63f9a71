import { collectLinks } from '../actions/collect-links.js';
import { conductResearch } from '../actions/conduct-research.js';
import { keywordExtract, topicAsKeyword } from '../actions/keyword-extract.js';
import type { ResearchContext } from '../actions/research-context.js';
import type { ResearchMessage } from '../actions/research-messages.js';
import { type Source, webBrowseAndSummarize } from '../actions/web-browse-and-summarize.js';
import { type WikiEntry, wikiSearchAndSummarize } from '../actions/wiki-search-and-summarize.js';
import { runAction } from '../team/action.js';
import { createMessage, USER_REQUIREMENT } from '../team/message.js';
import type { ResearchRoleDefinition } from './research-role.js';

/**
 * The Researcher: CollectLinks, then WebBrowseAndSummarize on every ranked URL (once each, across queries,
 * starting as soon as a query's links are ranked), then ConductResearch once both its summaries and the
 * Wikipedia background are in (or at once, when nobody in the team publishes a background).
 */
export const researcher: ResearchRoleDefinition = {
  publishes: [webBrowseAndSummarize.name, conductResearch.name],
  create: (team) => {
    let sources: Source[] | undefined;
    let wiki: WikiEntry[] | undefined = team.publishes(wikiSearchAndSummarize.name) ? undefined : [];
    let reported = false;

    const reportIfReady = async (context: ResearchContext): Promise<ResearchMessage[]> => {
      if (reported || !sources || !wiki) return [];
      reported = true;
      const report = await runAction('researcher', conductResearch, { topic: context.topic, sources, wiki }, context);
      context.record.setReport(report);
      return [
        createMessage({
          content: report.slice(0, 500),
          payload: { report },
          role: 'researcher',
          causeBy: conductResearch.name,
        }),
      ];
    };

    return {
      name: 'researcher',
      watch: [
        team.publishes(keywordExtract.name) ? keywordExtract.name : USER_REQUIREMENT,
        wikiSearchAndSummarize.name,
      ],
      async react(message, context) {
        if (message.causeBy === wikiSearchAndSummarize.name) {
          wiki = message.payload.entries;
          return reportIfReady(context);
        }
        const keywords =
          message.causeBy === keywordExtract.name ? message.payload.keywords : [topicAsKeyword(context.topic)];
        sources = await summarizeLinks(context, keywords);
        for (const source of sources) context.record.addSource(source);
        const summaries = createMessage({
          content: `${sources.length} sources summarised`,
          payload: { sources },
          role: 'researcher',
          causeBy: webBrowseAndSummarize.name,
        });
        return [summaries, ...(await reportIfReady(context))];
      },
    };
  },
};

/** CollectLinks for the keywords, each ranked URL summarised once (for the first query that ranked it). */
async function summarizeLinks(context: ResearchContext, keywords: string[]): Promise<Source[]> {
  const seen = new Set<string>();
  const pending: Array<Promise<Source | undefined>> = [];
  await runAction(
    'researcher',
    collectLinks,
    {
      topic: context.topic,
      keywords,
      onQuery: ({ query, results }) => {
        for (const result of results) {
          if (seen.has(result.url)) continue;
          seen.add(result.url);
          const summary = runAction(
            'researcher',
            webBrowseAndSummarize,
            { topic: context.topic, query, url: result.url },
            context,
          );
          // Awaited below; if CollectLinks fails first, its failure is the one reported, not this one.
          summary.catch(() => undefined);
          pending.push(summary);
        }
      },
    },
    context,
  );
  return (await Promise.all(pending)).filter((source): source is Source => source !== undefined);
}
