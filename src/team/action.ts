import { AbortError } from '../errors.js';
import type { RoleContext } from './role-context.js';

/**
 * One step of a role's work, e.g. `CollectLinks`. Actions get a context (the team's, extending RoleContext),
 * never a provider or plugin. `Name` is the literal name: it is the `causeBy` of the messages made from the
 * action's output, which a team's message map types.
 */
export interface Action<Input, Output, Context extends RoleContext = RoleContext, Name extends string = string> {
  /** The name events, the ledger and `models.actions` use. */
  readonly name: Name;
  run(input: Input, context: Context): Promise<Output>;
}

/** Runs an action between `action-start` and `action-end` events. */
export async function runAction<Input, Output, Context extends RoleContext>(
  role: string,
  action: Action<Input, Output, Context>,
  input: Input,
  context: Context,
): Promise<Output> {
  const started = Date.now();
  context.emit('action-start', { role, action: action.name });
  try {
    const output = await action.run(input, context);
    context.emit('action-end', { role, action: action.name, ms: Date.now() - started, ok: true });
    return output;
  } catch (error) {
    context.emit('action-end', {
      role,
      action: action.name,
      ms: Date.now() - started,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      // Ended by the run's cancellation or stop, not by a failure of its own: progress does not count it done.
      ...(error instanceof AbortError ? { cancelled: true as const } : {}),
    });
    throw error;
  }
}
