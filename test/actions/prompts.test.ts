import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as collectLinks from '../../src/actions/prompts/collect-links.js';
import * as conductResearch from '../../src/actions/prompts/conduct-research.js';
import * as keywordExtract from '../../src/actions/prompts/keyword-extract.js';
import * as webBrowseAndSummarize from '../../src/actions/prompts/web-browse-and-summarize.js';
import * as wikiSearchAndSummarize from '../../src/actions/prompts/wiki-search-and-summarize.js';
import type { ChatMessage } from '../../src/gateway/language-model.js';

/**
 * Prompts are the keys of the persisted step and LLM caches: one changed byte and every resumed run pays for
 * its calls again. The fixture holds each prompt function's exact output, recorded from the code before
 * the prompts were split into lines, for inputs with quotes, newlines, `${...}` and non-ASCII text.
 */
interface PromptCase {
  module: string;
  export: string;
  args: unknown[];
  messages: ChatMessage[];
}

const modules: Record<string, Record<string, unknown>> = {
  'collect-links': collectLinks,
  'conduct-research': conductResearch,
  'keyword-extract': keywordExtract,
  'web-browse-and-summarize': webBrowseAndSummarize,
  'wiki-search-and-summarize': wikiSearchAndSummarize,
};

const cases = JSON.parse(
  readFileSync(new URL('../fixtures/prompts/prompts.json', import.meta.url), 'utf8'),
) as PromptCase[];

describe('action prompts', () => {
  it('cover every prompt function', () => {
    const recorded = new Set(cases.map((entry) => `${entry.module}.${entry.export}`));
    const exported = Object.entries(modules).flatMap(([name, module]) =>
      Object.entries(module)
        .filter(([, value]) => typeof value === 'function')
        .map(([key]) => `${name}.${key}`),
    );
    expect(exported.filter((name) => !recorded.has(name))).toEqual([]);
  });

  it.each(cases.map((entry, index) => [`${entry.module}.${entry.export} #${index}`, entry] as const))(
    '%s produces the recorded messages byte for byte',
    (_, entry) => {
      const build = modules[entry.module]?.[entry.export] as (...args: unknown[]) => ChatMessage[];
      expect(build(...entry.args)).toEqual(entry.messages);
    },
  );
});
