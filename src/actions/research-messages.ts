import { type MessageOf, USER_REQUIREMENT } from '../team/message.js';
import { ActionName } from '../types/action-names.js';
import type { Source } from './web-browse-and-summarize.js';
import type { WikiEntry } from './wiki-search-and-summarize.js';

/** What each message of a research run carries, by the action that produced it (its `causeBy`). */
export interface ResearchMessageMap {
  [USER_REQUIREMENT]: { topic: string };
  [ActionName.KeywordExtract]: { keywords: string[] };
  [ActionName.WikiSearchAndSummarize]: { entries: WikiEntry[] };
  [ActionName.WebBrowseAndSummarize]: { sources: Source[] };
  [ActionName.ConductResearch]: { report: string };
}

/** A message between research roles: `payload` is typed by `causeBy`. */
export type ResearchMessage = MessageOf<ResearchMessageMap>;
