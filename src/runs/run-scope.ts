import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which run the current asynchronous work belongs to. A run's execution runs inside its scope, so anything
 * it starts (actions, plugin calls, their stray promises) carries the run id, and the process-wide
 * unhandled-rejection handler can fail that one run instead of the daemon.
 */
const scope = new AsyncLocalStorage<string>();

/** Runs `work` as part of run `runId`. */
export function inRunScope<T>(runId: string, work: () => T): T {
  return scope.run(runId, work);
}

/** The run the current work belongs to, if any. */
export function currentRunId(): string | undefined {
  return scope.getStore();
}
