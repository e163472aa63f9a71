import { randomBytes } from 'node:crypto';
import type { Config } from '../config/load-config.js';
import { BadRequestError } from '../errors.js';
import { DEFAULT_TEAM, researchRoles } from '../roles/index.js';
import { emptyUsage, type Run } from '../types/run-record.js';

export interface SubmitRequest {
  topic: string;
  language?: string | undefined;
  budgetUsd?: number | undefined;
  team?: string[] | undefined;
}

/** The record of a run just submitted, `queued`; refuses a team naming roles that do not exist. */
export function newRun(request: SubmitRequest, config: Pick<Config, 'budget'>): Run {
  const team = request.team ?? [...DEFAULT_TEAM];
  checkTeam(team);
  const run: Run = {
    id: newRunId(),
    topic: request.topic,
    language: request.language ?? 'en',
    status: 'queued',
    createdAt: new Date().toISOString(),
    team: [...new Set(team)],
    keywords: [],
    wiki: [],
    sources: [],
    report: '',
    usage: emptyUsage(),
    errors: [],
  };
  const budget = request.budgetUsd ?? config.budget.perRunUsd;
  if (budget !== undefined) run.budgetUsd = budget;
  return run;
}

/**
 * Refuses names that are not roles. Own properties only: `"valueOf" in researchRoles` is true, and a team
 * naming it would call Object.prototype.valueOf as a role.
 */
export function checkTeam(team: readonly string[]): void {
  const unknown = team.filter((name) => !Object.hasOwn(researchRoles, name));
  if (unknown.length > 0)
    throw new BadRequestError(
      `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} in team (roles: ${Object.keys(researchRoles).join(', ')})`,
    );
}

/** Time-ordered, URL-safe ids: sortable, and unguessable enough for a local daemon. */
function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}
