import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  readLimitsFromMessage,
  readRateLimitHeaders,
  readRetryHint,
} from '../../src/gateway/rate-limit-headers.js';

describe('rate-limit headers', () => {
  it('parses the reset durations OpenAI sends', () => {
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('12ms')).toBe(12);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('20')).toBe(20_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('reads OpenAI x-ratelimit-* headers', () => {
    const reading = readRateLimitHeaders(
      {
        'x-ratelimit-limit-tokens': '60000',
        'x-ratelimit-remaining-tokens': '12000',
        'x-ratelimit-reset-tokens': '48s',
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '120ms',
      },
      0,
    );
    expect(reading).toEqual({
      tokens: { limit: 60000, remaining: 12000, resetMs: 48_000 },
      requests: { limit: 500, remaining: 499, resetMs: 120 },
    });
  });

  it('reads Anthropic anthropic-ratelimit-* headers with RFC 3339 resets', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    const reading = readRateLimitHeaders(
      {
        'anthropic-ratelimit-input-tokens-limit': '40000',
        'anthropic-ratelimit-input-tokens-remaining': '1000',
        'anthropic-ratelimit-input-tokens-reset': '2026-11-29T10:00:12Z',
        'anthropic-ratelimit-requests-remaining': '49',
      },
      now,
    );
    expect(reading.tokens).toEqual({ limit: 40000, remaining: 1000, resetMs: 12_000 });
    expect(reading.requests).toEqual({ remaining: 49 });
  });

  it('prefers retry-after-ms, then retry-after in seconds or as a date, then the message text', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(readRetryHint({ 'retry-after-ms': '1500', 'retry-after': '9' }, undefined, now)).toBe(1500);
    expect(readRetryHint({ 'retry-after': '7' }, undefined, now)).toBe(7000);
    expect(readRetryHint({ 'retry-after': 'Sun, 29 Nov 2026 10:00:05 GMT' }, undefined, now)).toBe(5000);
    expect(
      readRetryHint({}, 'Please try again in 1.2s. Visit https://platform.openai.com/account/rate-limits', now),
    ).toBe(1200);
    expect(readRetryHint({}, 'Please try again in 6m0s.', now)).toBe(360_000);
    expect(readRetryHint({}, 'Please retry after 3 seconds', now)).toBe(3000);
    expect(readRetryHint({}, 'Rate limit reached', now)).toBeUndefined();
  });

  it('reads the limits an OpenAI 429 states', () => {
    expect(
      readLimitsFromMessage(
        'Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 60000, Used 59000, Requested 2400.',
      ),
    ).toEqual({ tpm: 60000 });
    expect(readLimitsFromMessage('on requests per min (RPM): Limit 3, Used 3, Requested 1.')).toEqual({ rpm: 3 });
  });
});
