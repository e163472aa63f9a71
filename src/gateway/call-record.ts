import { randomUUID } from 'node:crypto';
import type { EmitEvent } from '../types/run-events.js';
import type { CostLedger, LedgerEntry } from './cost-ledger.js';

/** One finished call, as the ledger and the `llm-call` event describe it. */
export interface CallRecord {
  provider: string;
  /** The provider's model id. */
  model: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  costUnknown: boolean;
  latencyMs: number;
  attempts: number;
  rateLimited: number;
  waitedMs: number;
  /** Replayed from the cross-run cache: history, not spend. */
  cached: boolean;
  at: Date;
  /** The provider reported no usage (a cancelled call, a stream that ended early): the tokens are estimates. */
  estimated?: true;
}

/** Who made the call (a subset of the gateway's CallContext). */
export interface CallOwner {
  runId?: string | undefined;
  action?: string | undefined;
  flow?: string | undefined;
  emit?: EmitEvent | undefined;
}

/** Writes a call to the ledger and reports it as an `llm-call` event. */
export function recordCall(ledger: CostLedger, owner: CallOwner, call: CallRecord): void {
  const { at, ...fields } = call;
  const entry: LedgerEntry = { id: randomUUID(), at: at.toISOString(), ...fields };
  if (owner.runId) entry.runId = owner.runId;
  else entry.client = owner.flow ?? 'api';
  if (owner.action) entry.action = owner.action;
  ledger.record(entry);
  try {
    emitCall(owner, call);
  } catch {
    // The event could not be written (a full disk): the call is paid and counted in the ledger, and its answer must
    // still reach the caller, or it would be asked (and paid) again. A run's next write meets the same disk.
  }
}

function emitCall(owner: CallOwner, call: CallRecord): void {
  // As in the ledger's totals: a replay spent no tokens, and an estimate's are not the provider's report.
  const counted = !call.cached && call.estimated !== true;
  owner.emit?.('llm-call', {
    provider: call.provider,
    model: `${call.provider}/${call.model}`,
    action: owner.action,
    promptTokens: counted ? call.promptTokens : 0,
    completionTokens: counted ? call.completionTokens : 0,
    tokens: counted ? call.promptTokens + call.completionTokens : 0,
    costUsd: call.costUsd,
    cost: call.costUsd,
    costUnknown: call.costUnknown,
    ms: call.latencyMs,
    attempts: call.attempts,
    ...(call.cached ? { cached: true } : {}),
    ...(call.estimated ? { estimated: true } : {}),
  });
}
