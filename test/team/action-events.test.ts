import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { runAction } from '../../src/team/action.js';
import type { RoleContext } from '../../src/team/role-context.js';

/** The events a role context received, and the context itself (only `emit` is used by runAction). */
function recordingContext() {
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const context = { emit: (type: string, data: Record<string, unknown>) => events.push({ type, data }) };
  return { events, context: context as unknown as RoleContext };
}

describe('an action between its start and end events', () => {
  it('ends ok, failed, or cut off by the run, each said as such', async () => {
    const { events, context } = recordingContext();
    const action = (outcome: () => Promise<string>) => ({ name: 'WebBrowseAndSummarize', run: outcome });
    await runAction(
      'researcher',
      action(async () => 'read'),
      undefined,
      context,
    );
    await expect(
      runAction(
        'researcher',
        action(async () => Promise.reject(new Error('HTTP 404'))),
        undefined,
        context,
      ),
    ).rejects.toThrow('HTTP 404');
    await expect(
      runAction(
        'researcher',
        action(async () => Promise.reject(new AbortError('the call was cancelled'))),
        undefined,
        context,
      ),
    ).rejects.toBeInstanceOf(AbortError);
    const ends = events.filter((event) => event.type === 'action-end').map(({ data: { ms: _ms, ...data } }) => data);
    expect(ends).toEqual([
      { role: 'researcher', action: 'WebBrowseAndSummarize', ok: true },
      { role: 'researcher', action: 'WebBrowseAndSummarize', ok: false, error: 'HTTP 404' },
      {
        role: 'researcher',
        action: 'WebBrowseAndSummarize',
        ok: false,
        error: 'the call was cancelled',
        cancelled: true,
      },
    ]);
  });
});
