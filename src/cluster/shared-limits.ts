import type { LimitsConfig } from '../config/schema.js';
import type { GateState, WaitReason } from '../gateway/limit-gate.js';
import type { RateLimitReading } from '../gateway/rate-limit-headers.js';
import { ACQUIRE_SCRIPT, RENEW_SCRIPT, SETTLE_SCRIPT, STATE_SCRIPT } from './limit-scripts.js';
import type { RedisConnection } from './redis-connection.js';

/** Providers may enforce a minute's limit over a few seconds; absent a setting, assume 3 (as LimitGate does). */
const DEFAULT_BURST_SECONDS = 3;

/** One gate's limits as the scripts read them. */
export interface GateConfig {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  burst: number;
}

/** The Redis keys of one gate. */
export interface GateKeys {
  state: string;
  leases: string;
}

export type AdmitResult =
  | { admitted: true; marks: number[] }
  | { admitted: false; ms: number; reason: WaitReason | 'queue'; scope: 'provider' | 'model' };

export type SettleOutcome =
  | { kind: 'success'; chargedTokens: number; reading: RateLimitReading | undefined }
  | {
      kind: 'rate-limited';
      pauseMs: number;
      learned: { tpm?: number; rpm?: number };
      reading: RateLimitReading | undefined;
    }
  | { kind: 'failed' };

interface ScriptCommands {
  agentdLimitAcquire(numberOfKeys: number, ...arguments_: string[]): Promise<Array<number | string>>;
  agentdLimitSettle(numberOfKeys: number, ...arguments_: string[]): Promise<number>;
  agentdLimitRenew(numberOfKeys: number, ...arguments_: string[]): Promise<number>;
  agentdLimitState(numberOfKeys: number, ...arguments_: string[]): Promise<string>;
}

export function gateConfig(limits: LimitsConfig): GateConfig {
  const config: GateConfig = { burst: limits.burstSeconds ?? DEFAULT_BURST_SECONDS };
  if (limits.rpm !== undefined) config.rpm = limits.rpm;
  if (limits.tpm !== undefined) config.tpm = limits.tpm;
  if (limits.concurrency !== undefined) config.concurrency = limits.concurrency;
  return config;
}

/**
 * The limiter state of every provider of a cluster, in Redis, changed only by the scripts of limit-scripts.ts.
 * Each method is one atomic script call; retrying while Redis is away is the caller's choice.
 */
export class SharedLimits {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #commands: ScriptCommands;

  constructor(connection: RedisConnection, prefix: string) {
    this.#connection = connection;
    this.#prefix = prefix;
    const client = connection.client;
    client.defineCommand('agentdLimitAcquire', { lua: ACQUIRE_SCRIPT });
    client.defineCommand('agentdLimitSettle', { lua: SETTLE_SCRIPT });
    client.defineCommand('agentdLimitRenew', { lua: RENEW_SCRIPT });
    client.defineCommand('agentdLimitState', { lua: STATE_SCRIPT });
    this.#commands = client as unknown as ScriptCommands;
  }

  get connection(): RedisConnection {
    return this.#connection;
  }

  /** Keys of the provider's gate, or of one model's own gate. */
  gateKeys(provider: string, model?: string): GateKeys {
    const base =
      model === undefined ? `${this.#prefix}:limits:${provider}` : `${this.#prefix}:limits:${provider}:model:${model}`;
    return { state: base, leases: `${base}:leases` };
  }

  async tryAdmit(
    provider: string,
    gates: Array<{ keys: GateKeys; config: GateConfig }>,
    request: { tokens: number; lease: string; waiter: string; leaseTtlMs: number; staleMs: number },
  ): Promise<AdmitResult> {
    const keys = [
      ...gates.flatMap((gate) => [gate.keys.state, gate.keys.leases]),
      `${this.#prefix}:limits:${provider}:waiters`,
      `${this.#prefix}:limits:${provider}:seen`,
    ];
    const argument = JSON.stringify({
      gates: gates.map((gate) => gate.config),
      tokens: request.tokens,
      lease: request.lease,
      waiter: request.waiter,
      expiry: request.leaseTtlMs,
      staleMs: request.staleMs,
    });
    const reply = await this.#commands.agentdLimitAcquire(keys.length, ...keys, argument);
    if (Number(reply[0]) === 1) return { admitted: true, marks: reply.slice(1).map(Number) };
    const ms = Number(reply[1]);
    return {
      admitted: false,
      ms: ms < 0 ? Number.POSITIVE_INFINITY : ms,
      reason: String(reply[2]) as WaitReason | 'queue',
      scope: reply[3] === 'model' ? 'model' : 'provider',
    };
  }

  async settle(
    gates: Array<{ keys: GateKeys; config: GateConfig }>,
    lease: { id: string; tokens: number; marks: number[] },
    outcome: SettleOutcome,
  ): Promise<void> {
    const keys = gates.flatMap((gate) => [gate.keys.state, gate.keys.leases]);
    const argument: Record<string, unknown> = {
      gates: gates.map((gate) => gate.config),
      lease: lease.id,
      kind: outcome.kind,
      tokens: lease.tokens,
      charged: 0,
      marks: lease.marks,
    };
    if (outcome.kind === 'success') argument.charged = outcome.chargedTokens;
    if (outcome.kind === 'rate-limited') {
      argument.pauseMs = outcome.pauseMs;
      argument.learned = outcome.learned;
    }
    if (outcome.kind !== 'failed' && outcome.reading) argument.reading = readingArgument(outcome.reading);
    await this.#commands.agentdLimitSettle(keys.length, ...keys, JSON.stringify(argument));
  }

  /** Extends the given leases by `leaseTtlMs` from now. */
  async renew(leases: Array<{ key: string; id: string }>, leaseTtlMs: number): Promise<void> {
    if (leases.length === 0) return;
    await this.#commands.agentdLimitRenew(
      leases.length,
      ...leases.map((lease) => lease.key),
      String(leaseTtlMs),
      ...leases.map((lease) => lease.id),
    );
  }

  async state(keys: GateKeys, config: GateConfig): Promise<GateState> {
    const raw = JSON.parse(
      await this.#commands.agentdLimitState(2, keys.state, keys.leases, JSON.stringify(config)),
    ) as Record<string, number | undefined>;
    const now = raw.now ?? Date.now();
    return {
      limits: { rpm: raw.rpm ?? null, tpm: raw.tpm ?? null, concurrency: config.concurrency ?? null },
      learned: {
        rpm: config.rpm === undefined && raw.rpm !== undefined,
        tpm: config.tpm === undefined && raw.tpm !== undefined,
      },
      inFlight: raw.inflight ?? 0,
      concurrencyCap: raw.cap ? raw.cap : null,
      tokensAvailable: raw.tl === undefined ? null : Math.floor(raw.tl),
      requestsAvailable: raw.rl === undefined ? null : Math.floor(raw.rl),
      pace: Math.round((raw.pace ?? 1) * 100) / 100,
      pausedUntil: raw.pause && raw.pause > now ? new Date(raw.pause).toISOString() : null,
    };
  }
}

function readingArgument(reading: RateLimitReading): Record<string, number> {
  const argument: Record<string, number> = {};
  if (reading.tokens.limit !== undefined) argument.tokensLimit = reading.tokens.limit;
  if (reading.tokens.remaining !== undefined) argument.tokensRemaining = reading.tokens.remaining;
  if (reading.requests.limit !== undefined) argument.requestsLimit = reading.requests.limit;
  if (reading.requests.remaining !== undefined) argument.requestsRemaining = reading.requests.remaining;
  return argument;
}
