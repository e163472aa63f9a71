import { collectLinks } from '../actions/collect-links.js';
import { conductResearch } from '../actions/conduct-research.js';
import { keywordExtract, topicAsKeyword } from '../actions/keyword-extract.js';
import { webBrowseAndSummarize, type Source } from '../actions/web-browse-and-summarize.js';
import { wikiSearchAndSummarize, type WikiEntry } from '../actions/wiki-search-and-summarize.js';
import { runAction } from '../team/action.js';
import { createMessage, USER_REQUIREMENT, type Message } from '../team/message.js';
import type { RoleFactory } from '../team/role.js';
import type { RoleContext } from '../team/role-context.js';

/**
 * The Researcher: CollectLinks, then WebBrowseAndSummarize on every ranked URL (once each, across queries,
 * starting as soon as a query's links are ranked), then ConductResearch once both its summaries and the
 * WikiResearcher's background are in (or at once, when the team has no WikiResearcher).
 */
export const createResearcher: RoleFactory = (team) => {
  const waitsForWiki = team.includes('wiki');
  let sources: Source[] | undefined;
  let wiki: WikiEntry[] | undefined = waitsForWiki ? undefined : [];
  let reported = false;

  const reportIfReady = async (context: RoleContext): Promise<Message[]> => {
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
    watch: [team.includes('extractor') ? keywordExtract.name : USER_REQUIREMENT, wikiSearchAndSummarize.name],
    async react(message, context) {
      if (message.causeBy === wikiSearchAndSummarize.name) {
        wiki = (message.payload as { entries: WikiEntry[] }).entries;
        return reportIfReady(context);
      }
      const keywords = (message.payload as { keywords?: string[] } | undefined)?.keywords ?? [
        topicAsKeyword(context.topic),
      ];
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
      sources = (await Promise.all(pending)).filter((source): source is Source => source !== undefined);
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
};
