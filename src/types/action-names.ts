/**
 * The names of the built-in actions, as `action-start`/`action-end`/`llm-call` events, the ledger and
 * `models.actions` carry them. Apart from run-events.ts so that the dashboard can use them without zod.
 */
export const ActionName = {
  KeywordExtract: 'KeywordExtract',
  WikiSearchAndSummarize: 'WikiSearchAndSummarize',
  CollectLinks: 'CollectLinks',
  WebBrowseAndSummarize: 'WebBrowseAndSummarize',
  ConductResearch: 'ConductResearch',
} as const;

export type ActionName = (typeof ActionName)[keyof typeof ActionName];
