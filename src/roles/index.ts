import type { ResearchRole, ResearchRoleDefinition } from './research-role.js';

export type { ResearchTeam } from './research-role.js';
import { extractor } from './extractor.js';
import { researcher } from './researcher.js';
import { wikiResearcher } from './wiki-researcher.js';
import { teamView } from '../team/role.js';

/** The roles a run's `team` may name. A new role is one file plus its line here. */
export const researchRoles: Readonly<Record<string, ResearchRoleDefinition>> = {
  extractor,
  researcher,
  wiki: wikiResearcher,
};

/** The team of CONTRACT.md's default run. */
export const DEFAULT_TEAM: readonly string[] = ['extractor', 'researcher', 'wiki'];

/**
 * The roles of one run, each told what the others publish (never their names). `names` must be keys of
 * `researchRoles` (the run manager checks them first).
 */
export function buildTeam(names: readonly string[]): ResearchRole[] {
  const definitions = names.map((name) => researchRoles[name] as ResearchRoleDefinition);
  const view = teamView(definitions);
  return definitions.map((definition) => definition.create(view));
}
