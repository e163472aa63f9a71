import type { RoleFactory } from '../team/role.js';
import { createExtractor } from './extractor.js';
import { createResearcher } from './researcher.js';
import { createWikiResearcher } from './wiki-researcher.js';

/** The roles a run's `team` may name. A new role is one file plus its line here. */
export const roleFactories: Readonly<Record<string, RoleFactory>> = {
  extractor: createExtractor,
  researcher: createResearcher,
  wiki: createWikiResearcher,
};

/** The team of CONTRACT.md's default run. */
export const DEFAULT_TEAM: readonly string[] = ['extractor', 'researcher', 'wiki'];
