import type { LedgerEntry } from '../../src/gateway/cost-ledger.js';

/** A paid, uncached gpt-4o-mini call of 100 + 10 tokens; tests override what they look at. */
export function ledgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id: 'x',
    at: '2026-11-29T00:00:00Z',
    provider: 'openai',
    model: 'gpt-4o-mini',
    promptTokens: 100,
    completionTokens: 10,
    costUsd: 0.001,
    costUnknown: false,
    latencyMs: 5,
    attempts: 1,
    rateLimited: 0,
    waitedMs: 0,
    cached: false,
    ...overrides,
  };
}
