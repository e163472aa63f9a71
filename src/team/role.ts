import type { MessageOf } from './message.js';
import type { RoleContext } from './role-context.js';

/**
 * A member of the team. As MetaGPT's `_watch`, it declares the action types (message causes) it reacts to;
 * for each such message it observes, it runs its actions and returns what it publishes. Roles never know
 * which provider or plugin is behind the context they are given, nor their teammates' names.
 */
export interface Role<Context extends RoleContext = RoleContext, Messages = Record<string, unknown>> {
  /** Unique in a team, e.g. `researcher`. */
  readonly name: string;
  /** The `causeBy` values (action types) this role reacts to. */
  readonly watch: ReadonlyArray<keyof Messages & string>;
  react(message: MessageOf<Messages>, context: Context): Promise<MessageOf<Messages>[]>;
}

/** What a role may know of its team when it is built: which action types someone in it publishes. */
export interface TeamView {
  /** True when a member of the team publishes messages caused by `action`. */
  publishes(action: string): boolean;
}

/**
 * How a role enters a team: what it publishes (so that teammates can tell whether to wait for it), and how
 * it is built for one run (roles may keep state across the messages of that run).
 */
export interface RoleDefinition<Context extends RoleContext = RoleContext, Messages = Record<string, unknown>> {
  /** The action types this role's messages are caused by. */
  readonly publishes: ReadonlyArray<keyof Messages & string>;
  create(team: TeamView): Role<Context, Messages>;
}

/** The team view of a set of role definitions. */
export function teamView(definitions: ReadonlyArray<{ readonly publishes: readonly string[] }>): TeamView {
  const published = new Set(definitions.flatMap((definition) => definition.publishes));
  return { publishes: (action) => published.has(action) };
}
