import type { BrowsePlugin, SearchPlugin, WikiPlugin } from '../plugins/plugin-types.js';
import type { RoleContext } from '../team/role-context.js';

/**
 * What the research roles and their actions use beyond the team runtime's context: the run's topic and
 * language, the web plugins, and the run record's fields they fill in. Built with the run's context
 * (src/runs/run-context.ts) and handed to the research roles only.
 */
export interface ResearchContext extends RoleContext {
  topic: string;
  /** ISO 639-1 code: queries, summaries and the report are written in it. */
  language: string;
  search: SearchPlugin;
  browse: BrowsePlugin;
  wiki: WikiPlugin;
  /** The run record's fields the actions fill in. */
  record: RunOutput;
}

/** What the actions contribute to the run record, as they finish. */
export interface RunOutput {
  setKeywords(keywords: string[]): void;
  addWiki(entry: { title: string; url: string; summary: string; keyword: string }): void;
  addSource(source: { url: string; title: string; query: string; summary: string }): void;
  setReport(report: string): void;
}
