import type { Message } from './message.js';
import type { RoleContext } from './role-context.js';

/**
 * A member of the team. It watches the causes it cares about; for each such message it observes, it runs its
 * actions in order and returns what it publishes. Roles never know which provider or plugin is behind the
 * context they are given.
 */
export interface Role {
  /** Unique in a team, e.g. `researcher`. */
  readonly name: string;
  /** The `causeBy` values this role reacts to. */
  readonly watch: readonly string[];
  react(message: Message, context: RoleContext): Promise<Message[]>;
}

/** Builds a role for one run (roles may keep state across the messages of that run). */
export type RoleFactory = (team: readonly string[]) => Role;
