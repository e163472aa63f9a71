import type { RoleContext } from './role-context.js';

/** One step of a role's work, e.g. `CollectLinks`. Actions get a context, never a provider or plugin. */
export interface Action<Input, Output> {
  /** The name events, the ledger and `models.actions` use. */
  readonly name: string;
  run(input: Input, context: RoleContext): Promise<Output>;
}

/** Runs an action between `action-start` and `action-end` events. */
export async function runAction<Input, Output>(
  role: string,
  action: Action<Input, Output>,
  input: Input,
  context: RoleContext,
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
    });
    throw error;
  }
}
