import { describe, expect, it } from 'vitest';
import { isFatalForRun } from '../../src/actions/run-fatal.js';
import { providerError, providerHttpError, providerNetworkError } from '../../src/gateway/provider-errors.js';

describe('what a provider failure means, decided where the error is built', () => {
  it.each([
    ['auth', false, true],
    ['quota', false, true],
    ['not-found', false, true],
    ['too-large', false, false],
    ['bad-request', false, false],
    ['rate-limited', true, false],
    ['overloaded', true, false],
    ['server', true, false],
    ['timeout', true, false],
    ['connection', true, false],
  ] as const)(
    'a %s failure is retryable: %s; it refuses every call, and so ends a run: %s',
    (kind, retryable, every) => {
      const error = providerError('vendor', kind, 'failed');
      expect({ retryable: error.retryable, refusesEveryCall: error.refusesEveryCall }).toEqual({
        retryable,
        refusesEveryCall: every,
      });
      expect(isFatalForRun(error)).toBe(every);
    },
  );

  it('classifies HTTP and network failures with the same decisions', () => {
    const refusedKey = providerHttpError('vendor', 401, undefined, 'invalid key', {}, undefined);
    expect([refusedKey.kind, refusedKey.retryable, refusedKey.refusesEveryCall]).toEqual(['auth', false, true]);
    const overloaded = providerHttpError('vendor', 529, 'overloaded_error', 'Overloaded', {}, undefined);
    expect([overloaded.kind, overloaded.retryable, overloaded.refusesEveryCall]).toEqual(['overloaded', true, false]);
    const refused = providerNetworkError('vendor', new Error('ECONNREFUSED'), false);
    expect([refused.kind, refused.retryable]).toEqual(['connection', true]);
  });

  it('says a timeout once, with what the innermost error adds to it', () => {
    // The SDKs' APIConnectionTimeoutError says only this.
    const sdk = providerNetworkError('vendor', new Error('Request timed out.'), true);
    expect(sdk.message).toMatch(/: request timed out$/);
    const own = providerNetworkError('vendor', new Error('no response within 5000 ms: timed out'), true);
    expect(own.message).toMatch(/: request timed out: no response within 5000 ms: timed out$/);
  });
});
