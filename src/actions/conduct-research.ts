import type { Action } from '../team/action.js';
import { ActionName } from '../types/action-names.js';
import { finalizeCitations } from './citations.js';
import { reportPrompt, type NumberedSource } from './prompts/conduct-research.js';
import type { ResearchContext } from './research-context.js';
import type { Source } from './web-browse-and-summarize.js';
import type { WikiEntry } from './wiki-search-and-summarize.js';

export interface ResearchInput {
  topic: string;
  sources: readonly Source[];
  wiki: readonly WikiEntry[];
}

/**
 * Writes the Markdown report: sections, facts and figures, a comparison table where apt, the Wikipedia
 * background, numbered citations and a reference list. Citations are checked against this run's sources and
 * wiki articles afterwards (finalizeCitations), so none can point anywhere else.
 */
export const conductResearch: Action<ResearchInput, string, ResearchContext, typeof ActionName.ConductResearch> = {
  name: ActionName.ConductResearch,
  run({ topic, sources, wiki }, context) {
    return context.step('ConductResearch', async () => {
      const numbered = numberSources(sources, wiki);
      if (numbered.length === 0) {
        context.recordError({
          stage: 'ConductResearch',
          message:
            'no source could be read and no Wikipedia article was found: the report says so instead of inventing one',
        });
        return `# ${topic}\n\nNo sources could be read for this topic, so no report was written. See the run's errors for what failed.\n`;
      }
      const answer = await context.llm('ConductResearch', {
        messages: reportPrompt(topic, numbered, context.language),
        maxOutputTokens: 3000,
        temperature: 0.3,
      });
      return finalizeCitations(answer.text, numbered);
    });
  },
};

/** Wikipedia background first (the introduction draws on it), then the web sources, numbered from 1. */
export function numberSources(sources: readonly Source[], wiki: readonly WikiEntry[]): NumberedSource[] {
  const numbered: NumberedSource[] = [];
  for (const entry of wiki)
    numbered.push({
      number: numbered.length + 1,
      title: entry.title,
      url: entry.url,
      text: entry.summary,
      kind: 'wiki',
    });
  for (const source of sources)
    numbered.push({
      number: numbered.length + 1,
      title: source.title,
      url: source.url,
      text: source.summary,
      kind: 'web',
    });
  return numbered;
}
