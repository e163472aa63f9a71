import { randomUUID } from 'node:crypto';
import { BudgetError } from '../errors.js';
import type { Budget, BudgetHold } from '../gateway/budget-guard.js';
import type { Logger } from '../logger.js';
import type { Usage } from '../types/run-record.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { RedisConnection } from './redis-connection.js';
import type { CancelSignal } from '../gateway/cancel-signal.js';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Holds a call's worst case against the total and the run's budget, or says which it would cross.
 * KEYS: spend hash, holds set (hold id scored by expiry), hold amounts hash ("amount runId").
 * ARGV[1]: JSON { id, amount, expiry, total?, run?, runBudget? }. Returns { 1 } or { 0, scope, spent, held }.
 */
const HOLD_SCRIPT = `${NOW}
local args = cjson.decode(ARGV[1])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
local held_total, held_run = 0, 0
local raw = redis.call('HGETALL', KEYS[3])
for i = 1, #raw, 2 do
  local value = raw[i + 1]
  local space = string.find(value, ' ', 1, true)
  local amount = tonumber(string.sub(value, 1, space - 1))
  held_total = held_total + amount
  if args.run and string.sub(value, space + 1) == args.run then held_run = held_run + amount end
end
local spent = tonumber(redis.call('HGET', KEYS[1], 'costUsd')) or 0
if args.total and spent + held_total + args.amount > args.total then
  return {0, 'total', tostring(spent), tostring(held_total)}
end
if args.run and args.runBudget then
  local run_spent = tonumber(redis.call('HGET', KEYS[1], 'run:' .. args.run)) or 0
  if run_spent + held_run + args.amount > args.runBudget then
    return {0, 'run', tostring(run_spent), tostring(held_run)}
  end
end
redis.call('ZADD', KEYS[2], now + args.expiry, args.id)
redis.call('HSET', KEYS[3], args.id, tostring(args.amount) .. ' ' .. (args.run or ''))
return {1}
`;

/**
 * Lets go of a hold and adds what the call cost to the shared totals (and to the run's own, `<spend>:run:<id>`:
 * a run executed in turn by several members has one usage), in one step, so no member ever sees the
 * money neither held nor spent. KEYS: as HOLD. ARGV[1]: JSON { id, run?, costUsd, promptTokens, completionTokens, calls }.
 */
const SETTLE_SCRIPT = `
local args = cjson.decode(ARGV[1])
redis.call('ZREM', KEYS[2], args.id)
redis.call('HDEL', KEYS[3], args.id)
if args.calls > 0 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'costUsd', args.costUsd)
  redis.call('HINCRBY', KEYS[1], 'calls', args.calls)
  redis.call('HINCRBY', KEYS[1], 'promptTokens', args.promptTokens)
  redis.call('HINCRBY', KEYS[1], 'completionTokens', args.completionTokens)
  if args.run then
    redis.call('HINCRBYFLOAT', KEYS[1], 'run:' .. args.run, args.costUsd)
    local run_key = KEYS[1] .. ':run:' .. args.run
    redis.call('HINCRBYFLOAT', run_key, 'costUsd', args.costUsd)
    redis.call('HINCRBY', run_key, 'calls', args.calls)
    redis.call('HINCRBY', run_key, 'promptTokens', args.promptTokens)
    redis.call('HINCRBY', run_key, 'completionTokens', args.completionTokens)
  end
end
return 1
`;

interface Settlement {
  id: string;
  run?: string;
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

interface BudgetCommands {
  agentdBudgetHold(numberOfKeys: number, ...arguments_: string[]): Promise<Array<number | string>>;
  agentdBudgetSettle(numberOfKeys: number, ...arguments_: string[]): Promise<number>;
}

/**
 * `budget.totalUsd` and per-run budgets checked against spend totals kept in Redis, shared by every member.
 * In-flight calls hold their worst case there as expiring entries (renewed by the LeaseKeeper), so a member
 * that dies mid-call stops holding money within seconds. The totals count spend made in cluster mode.
 */
export class SharedBudget implements Budget {
  readonly #connection: RedisConnection;
  readonly #keeper: LeaseKeeper;
  readonly #logger: Logger;
  readonly #totalUsd: number | undefined;
  readonly #keys: [string, string, string];
  readonly #commands: BudgetCommands;
  /** Settlements Redis did not take (it was away too long): sent before the next hold. */
  readonly #unsent: Settlement[] = [];
  /** Settlements on their way to Redis: a run's usage is read after them. */
  readonly #settling = new Set<Promise<void>>();

  constructor(options: {
    connection: RedisConnection;
    prefix: string;
    keeper: LeaseKeeper;
    logger: Logger;
    totalUsd: number | undefined;
  }) {
    this.#connection = options.connection;
    this.#keeper = options.keeper;
    this.#logger = options.logger;
    this.#totalUsd = options.totalUsd;
    this.#keys = [`${options.prefix}:spend`, `${options.prefix}:budget-holds`, `${options.prefix}:budget-hold-amounts`];
    options.connection.client.defineCommand('agentdBudgetHold', { lua: HOLD_SCRIPT });
    options.connection.client.defineCommand('agentdBudgetSettle', { lua: SETTLE_SCRIPT });
    this.#commands = options.connection.client as unknown as BudgetCommands;
  }

  async hold(
    worstCaseUsd: number,
    run?: { id: string; budgetUsd?: number | undefined },
    signal?: CancelSignal,
  ): Promise<BudgetHold> {
    await this.#flushUnsent();
    const id = randomUUID();
    const settlement: Settlement = { id, costUsd: 0, promptTokens: 0, completionTokens: 0, calls: 0 };
    if (run) settlement.run = run.id;
    // No budget applies: nothing to hold, only the spend to add when the call ends (one round trip fewer).
    const held = this.#totalUsd !== undefined || run?.budgetUsd !== undefined;
    if (held) await this.#hold(settlement, worstCaseUsd, run, signal);
    let released = false;
    return {
      charge: (costUsd, usage) => {
        settlement.costUsd = costUsd;
        settlement.promptTokens = usage.promptTokens;
        settlement.completionTokens = usage.completionTokens;
        settlement.calls = 1;
      },
      release: () => {
        if (released) return;
        released = true;
        // A call that cost nothing and held nothing leaves nothing to tell Redis.
        if (held || settlement.calls > 0) {
          const settling = this.#settle(settlement);
          this.#settling.add(settling);
          void settling.finally(() => this.#settling.delete(settling));
        }
      },
    };
  }

  async #hold(
    settlement: Settlement,
    worstCaseUsd: number,
    run: { id: string; budgetUsd?: number | undefined } | undefined,
    signal: CancelSignal | undefined,
  ): Promise<void> {
    const argument: Record<string, unknown> = {
      id: settlement.id,
      amount: worstCaseUsd,
      expiry: this.#keeper.leaseTtlMs,
    };
    if (this.#totalUsd !== undefined) argument.total = this.#totalUsd;
    if (run) argument.run = run.id;
    if (run?.budgetUsd !== undefined) argument.runBudget = run.budgetUsd;
    const reply = await this.#connection.run(
      () => this.#commands.agentdBudgetHold(3, ...this.#keys, JSON.stringify(argument)),
      { signal },
    );
    if (Number(reply[0]) !== 1) {
      const spent = Number(reply[2]);
      const held = Number(reply[3]);
      if (reply[1] === 'total') {
        throw new BudgetError(
          'total',
          `the cluster's total budget of $${this.#totalUsd} would be crossed: $${round(spent)} spent, $${round(held)} in flight, this call up to $${round(worstCaseUsd)}`,
        );
      }
      throw new BudgetError(
        'run',
        `the run's budget of $${run?.budgetUsd} would be crossed: $${round(spent)} spent, $${round(held)} in flight, this call up to $${round(worstCaseUsd)}`,
      );
    }
    this.#keeper.add(this.#keys[1], settlement.id);
  }

  /** Spend and tokens of every member's calls since the cluster's Redis was first used. */
  async usage(): Promise<Usage> {
    const raw = await this.#connection.run(() =>
      this.#connection.client.hmget(this.#keys[0], 'calls', 'promptTokens', 'completionTokens', 'costUsd'),
    );
    return {
      calls: Number(raw[0] ?? 0),
      promptTokens: Number(raw[1] ?? 0),
      completionTokens: Number(raw[2] ?? 0),
      costUsd: Number(raw[3] ?? 0),
    };
  }

  /** The usage of one run's calls, made by whichever members executed it. */
  async runUsage(runId: string): Promise<Usage> {
    await Promise.all(this.#settling);
    const raw = await this.#connection.run(() =>
      this.#connection.client.hmget(
        `${this.#keys[0]}:run:${runId}`,
        'calls',
        'promptTokens',
        'completionTokens',
        'costUsd',
      ),
    );
    return {
      calls: Number(raw[0] ?? 0),
      promptTokens: Number(raw[1] ?? 0),
      completionTokens: Number(raw[2] ?? 0),
      costUsd: Number(raw[3] ?? 0),
    };
  }

  async #settle(settlement: Settlement): Promise<void> {
    try {
      await this.#connection.run(() => this.#commands.agentdBudgetSettle(3, ...this.#keys, JSON.stringify(settlement)));
      this.#keeper.remove(this.#keys[1], settlement.id);
    } catch (error) {
      // Keep renewing the hold: until the spend reaches Redis, the worst case stays held.
      this.#unsent.push(settlement);
      this.#logger.warn(
        { err: error, costUsd: settlement.costUsd },
        'cluster: spend not yet recorded in Redis; kept held and retried',
      );
    }
  }

  async #flushUnsent(): Promise<void> {
    while (this.#unsent.length > 0) {
      const settlement = this.#unsent[0] as Settlement;
      await this.#connection.run(() => this.#commands.agentdBudgetSettle(3, ...this.#keys, JSON.stringify(settlement)));
      this.#unsent.shift();
      this.#keeper.remove(this.#keys[1], settlement.id);
    }
  }
}

function round(usd: number): string {
  return usd.toFixed(4);
}
