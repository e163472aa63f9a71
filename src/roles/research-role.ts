import type { ResearchContext } from '../actions/research-context.js';
import type { ResearchMessageMap } from '../actions/research-messages.js';
import type { Role, RoleDefinition } from '../team/role.js';
import type { Team } from '../team/team.js';

/** A role of a research run: it gets the research context and speaks in research messages. */
export type ResearchRole = Role<ResearchContext, ResearchMessageMap>;

export type ResearchRoleDefinition = RoleDefinition<ResearchContext, ResearchMessageMap>;

/** The team of a research run. */
export type ResearchTeam = Team<ResearchContext, ResearchMessageMap>;
