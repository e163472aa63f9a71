import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { buildTeam, researchRoles } from '../../src/roles/index.js';
import { createMessage, USER_REQUIREMENT, type Message } from '../../src/team/message.js';
import { type Role, teamView } from '../../src/team/role.js';
import type { RoleContext } from '../../src/team/role-context.js';
import { Team } from '../../src/team/team.js';

function context(
  signal = new AbortController().signal,
): RoleContext & { events: Array<{ type: string; data: Record<string, unknown> }> } {
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  return {
    events,
    signal,
    emit: (type: string, data: Record<string, unknown>) => events.push({ type, data }),
  } as unknown as RoleContext & { events: typeof events };
}

const start = createMessage({ content: 'topic', payload: {}, role: 'user', causeBy: USER_REQUIREMENT });

describe('the team runtime', () => {
  it('delivers each message to the roles watching its cause and runs until every role is idle', async () => {
    const seen: string[] = [];
    const echo = (name: string, watches: string, publishes: string | undefined, delayMs = 0): Role => ({
      name,
      watch: [watches],
      async react(message: Message) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        seen.push(`${name}<-${message.causeBy}`);
        return publishes ? [createMessage({ content: name, payload: {}, role: name, causeBy: publishes })] : [];
      },
    });
    const roles = [
      echo('a', USER_REQUIREMENT, 'A', 10),
      echo('b', 'A', 'B'),
      echo('c', 'A', undefined, 20),
      echo('d', 'B', undefined),
    ];
    const ctx = context();
    const team = new Team(roles, ctx);
    await team.run(start);
    expect(seen.sort()).toEqual(['a<-UserRequirement', 'b<-A', 'c<-A', 'd<-B']);
    expect(team.environment.history.map((message) => message.causeBy)).toEqual([USER_REQUIREMENT, 'A', 'B']);
    expect(ctx.events.filter((event) => event.type === 'message-published').map((event) => event.data.cause)).toEqual([
      USER_REQUIREMENT,
      'A',
      'B',
    ]);
  });

  it('hands a role its messages one at a time, in order', async () => {
    const order: number[] = [];
    let busy = false;
    const counter: Role = {
      name: 'counter',
      watch: ['N'],
      async react(message) {
        expect(busy).toBe(false);
        busy = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push((message.payload as { n: number }).n);
        busy = false;
        return [];
      },
    };
    const source: Role = {
      name: 'source',
      watch: [USER_REQUIREMENT],
      react: async () =>
        [1, 2, 3].map((n) => createMessage({ content: '', payload: { n }, role: 'source', causeBy: 'N' })),
    };
    await new Team([source, counter], context()).run(start);
    expect(order).toEqual([1, 2, 3]);
  });

  it('fails the run when a role fails, and stops at once when cancelled', async () => {
    const failing: Role = {
      name: 'f',
      watch: [USER_REQUIREMENT],
      react: async () => Promise.reject(new Error('role broke')),
    };
    await expect(new Team([failing], context()).run(start)).rejects.toThrow('role broke');

    const controller = new AbortController();
    const slow: Role = { name: 's', watch: [USER_REQUIREMENT], react: () => new Promise(() => {}) };
    const running = new Team([slow], context(controller.signal)).run(start);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(AbortError);
  });
});

describe('the research roles', () => {
  const watches = (names: string[]) =>
    Object.fromEntries(buildTeam(names).map((role) => [role.name, [...role.watch].sort()]));

  it('watch the action types their team publishes, never a teammate by name', () => {
    expect(watches(['extractor', 'researcher', 'wiki'])).toEqual({
      extractor: [USER_REQUIREMENT],
      researcher: ['KeywordExtract', 'WikiSearchAndSummarize'],
      wiki: ['KeywordExtract'],
    });
    // Nobody publishes keywords: the others start from the user's requirement.
    expect(watches(['researcher', 'wiki'])).toEqual({
      researcher: [USER_REQUIREMENT, 'WikiSearchAndSummarize'],
      wiki: [USER_REQUIREMENT],
    });
  });

  it('publish what the team view says they do', () => {
    const view = teamView([researchRoles.extractor!, researchRoles.wiki!]);
    expect(view.publishes('KeywordExtract')).toBe(true);
    expect(view.publishes('WikiSearchAndSummarize')).toBe(true);
    expect(view.publishes('ConductResearch')).toBe(false);
  });
});
