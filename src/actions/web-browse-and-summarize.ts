import { AbortError, errorMessage } from '../errors.js';
import { countTokensSliced, TokenCounter, tokensWithin } from '../text/token-count.js';
import type { Page } from '../plugins/plugin-types.js';
import type { Action } from '../team/action.js';
import { ActionName } from '../types/action-names.js';
import { focusedContext, splitPassages } from '../text/focused-context.js';
import { mergeSummariesPrompt, NOT_RELEVANT, summarizePrompt } from './prompts/web-browse-and-summarize.js';
import type { ResearchContext } from './research-context.js';
import { isFatalForRun } from './run-fatal.js';

/** Tokens of a page's query-focused context sent for summary. @default 2500 */
export const FOCUS_BUDGET_TOKENS = 2500;
/** Largest page text one summary call carries; longer text is split and the parts' summaries merged. */
export const PART_TOKENS = 6000;

export interface Source {
  url: string;
  title: string;
  query: string;
  summary: string;
}

export interface SummarizeInput {
  topic: string;
  query: string;
  url: string;
  /** Tokens of focused context; `Infinity` summarises the whole page (split as needed). */
  budgetTokens?: number;
}

/**
 * Browses a URL, takes the passages most relevant to the query, and summarises them for the query with
 * their facts and numbers. A page with nothing relevant ("Not relevant.") and a page that fails to load
 * return undefined; the failure is recorded on the run and never fails it.
 */
export const webBrowseAndSummarize: Action<
  SummarizeInput,
  Source | undefined,
  ResearchContext,
  typeof ActionName.WebBrowseAndSummarize
> = {
  name: ActionName.WebBrowseAndSummarize,
  async run({ topic, query, url, budgetTokens = FOCUS_BUDGET_TOKENS }, context) {
    let page: Page;
    try {
      page = await context.step(`browse:${url}`, () => context.browse.browse(url, { signal: context.signal }));
    } catch (error) {
      if (error instanceof AbortError) throw error;
      context.recordError({
        stage: 'WebBrowseAndSummarize',
        message: `page skipped: ${errorMessage(error)}`,
        url,
        code: (error as { code?: string }).code,
      });
      return undefined;
    }
    const focused = Number.isFinite(budgetTokens)
      ? await focusedContext(page.content, `${query} ${topic}`, { budgetTokens })
      : page.content;
    let summary: string;
    try {
      summary = await summarize(context, topic, query, page, focused);
    } catch (error) {
      if (isFatalForRun(error)) throw error;
      context.recordError({ stage: 'WebBrowseAndSummarize', message: `summary failed: ${errorMessage(error)}`, url });
      return undefined;
    }
    const relevant = !isNotRelevant(summary);
    context.emit('source-summarized', {
      url: page.url,
      title: page.title,
      query,
      relevant,
      tokens: await countTokensSliced(focused),
    });
    return relevant ? { url, title: page.title || url, query, summary } : undefined;
  },
};

async function summarize(
  context: ResearchContext,
  topic: string,
  query: string,
  page: Page,
  text: string,
): Promise<string> {
  const ask = async (content: string, part?: { index: number; total: number }) =>
    (
      await context.llm('WebBrowseAndSummarize', {
        messages: summarizePrompt(topic, query, { title: page.title, url: page.url, content }, context.language, part),
        maxOutputTokens: 500,
        temperature: 0.2,
      })
    ).text.trim();
  if (tokensWithin(text, PART_TOKENS) !== false) return ask(text);
  // Too long for one call within the model's context: summarise parts, then merge what was relevant.
  const parts = await packParts(text, PART_TOKENS);
  const summaries = await Promise.all(parts.map((part, index) => ask(part, { index: index + 1, total: parts.length })));
  const relevant = summaries.filter((summary) => !isNotRelevant(summary));
  if (relevant.length === 0) return NOT_RELEVANT;
  if (relevant.length === 1) return relevant[0] as string;
  return (
    await context.llm('WebBrowseAndSummarize', {
      messages: mergeSummariesPrompt(query, page, relevant, context.language),
      maxOutputTokens: 600,
      temperature: 0.2,
    })
  ).text.trim();
}

/** Groups passages into parts of at most `maxTokens` (exact counts, in slices: the text may be a whole page). */
async function packParts(text: string, maxTokens: number): Promise<string[]> {
  const counter = new TokenCounter();
  const parts: string[] = [];
  let current = '';
  for (const passage of splitPassages(text, 400)) {
    const candidate = current ? `${current}\n\n${passage}` : passage;
    if (current && (await counter.count(candidate)) > maxTokens) {
      parts.push(current);
      current = passage;
    } else current = candidate;
  }
  if (current) parts.push(current);
  return parts;
}

function isNotRelevant(summary: string): boolean {
  return (
    summary
      .replace(/[*_`"]/g, '')
      .trim()
      .toLowerCase()
      .startsWith(NOT_RELEVANT.toLowerCase().replace('.', '')) || summary.trim() === ''
  );
}
