import type { LedgerEntry, UsageTotals } from '../gateway/cost-ledger.js';
import {
  DAY_MS,
  HOUR_MS,
  KEEP_HOURS_MS,
  KEEP_MINUTES_MS,
  MINUTE_MS,
  mergeUsage,
  seriesOf,
  type UsageHistorySeries,
  type UsageSeriesOptions,
} from '../gateway/usage-history.js';
import type { UsageSource } from '../gateway/usage-source.js';
import type { Logger } from '../logger.js';
import type { Usage } from '../types/run-record.js';
import type { RedisConnection } from './redis-connection.js';
import { emptyUsage, field, usageByModel } from './usage-fields.js';

/**
 * Adds counts to hashes, sets their expiry and indexes them, in one step: no member reads half a batch.
 * ARGV[1]: JSON { writes: [{ key, ints: {field: n}, floats: {field: n}, expireAt?, index?, score? }],
 * prune: [{ index, below }] }. Numbers come as strings, so Lua's number formatting loses no digit.
 */
const RECORD_SCRIPT = `
local args = cjson.decode(ARGV[1])
for _, write in ipairs(args.writes) do
  for field, value in pairs(write.ints) do redis.call('HINCRBY', write.key, field, value) end
  for field, value in pairs(write.floats) do redis.call('HINCRBYFLOAT', write.key, field, value) end
  if write.index then redis.call('ZADD', write.index, write.score, write.key) end
  if write.expireAt then redis.call('PEXPIREAT', write.key, write.expireAt) end
end
for _, prune in ipairs(args.prune) do redis.call('ZREMRANGEBYSCORE', prune.index, '-inf', '(' .. prune.below) end
return 1
`;

/** The bucket sizes kept, each with how long its buckets live after their start (and a margin for readers). */
const GRAINS = [
  { name: 'minute', ms: MINUTE_MS, keepMs: KEEP_MINUTES_MS + HOUR_MS },
  { name: 'hour', ms: HOUR_MS, keepMs: KEEP_HOURS_MS + DAY_MS },
  { name: 'day', ms: DAY_MS, keepMs: undefined },
] as const;

const COUNTS = ['calls', 'promptTokens', 'completionTokens', 'costUnknown'] as const;

/** Calls of one model in one minute, not yet in Redis. */
interface Delta {
  minute: number;
  provider: string;
  model: string;
  usage: Usage;
  unknownCalls: number;
}

/**
 * The ledger of a cluster, as `GET /v1/usage` and the dashboard's usage history read it on every member: each
 * member adds its calls to totals per provider/model and to usage buckets in Redis. The buckets are bounded as
 * the local usage history is: every call counts into its minute, its hour and its day; minutes expire 2 days
 * after they start and hours 60 days after, so Redis holds what grows with the days, never with the calls.
 * A reader takes the finest bucket still held for each stretch of time. Each member's exact per-call record
 * stays its `ledger.jsonl`.
 *
 * Calls are batched per minute and model and sent in one script call; while Redis is away they wait here
 * (as counts, so the backlog grows with minutes, not calls) and go when it is back.
 */
export class SharedLedger implements UsageSource {
  readonly #connection: RedisConnection;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #keys: {
    totals: string;
    bucket: (grain: string, start: number) => string;
    index: (grain: string) => string;
  };
  /** Counts not yet in Redis, by minute, provider and model. */
  #pending = new Map<string, Delta>();
  #flushing: Promise<void> | undefined;

  constructor(options: { connection: RedisConnection; prefix: string; logger: Logger; now?: () => number }) {
    this.#connection = options.connection;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    const prefix = options.prefix;
    this.#keys = {
      totals: `${prefix}:ledger:totals`,
      bucket: (grain, start) => `${prefix}:usage:${grain}:${start}`,
      index: (grain) => `${prefix}:usage:${grain}s`,
    };
    options.connection.client.defineCommand('agentdLedgerRecord', { lua: RECORD_SCRIPT });
  }

  /** Counts a call this member made (cached replays are history, not spend, and are left out as locally). */
  add(entry: LedgerEntry): void {
    if (entry.cached) return;
    const at = Date.parse(entry.at);
    if (Number.isNaN(at)) return;
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const key = `${minute} ${field('', entry.provider, entry.model)}`;
    let delta = this.#pending.get(key);
    if (!delta) {
      delta = { minute, provider: entry.provider, model: entry.model, usage: emptyUsage(), unknownCalls: 0 };
      this.#pending.set(key, delta);
    }
    mergeUsage(delta.usage, {
      calls: 1,
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      costUsd: entry.costUsd,
    });
    if (entry.costUnknown) delta.unknownCalls += 1;
    void this.flush();
  }

  /**
   * Sends what is pending (one batch at a time; what arrives meanwhile goes in the next). Resolves once every
   * call recorded before it is in Redis, or could not be sent (kept for the next flush, and logged).
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async totals(): Promise<UsageTotals> {
    await this.flush();
    const hash = await this.#connection.run(() => this.#connection.client.hgetall(this.#keys.totals));
    const totals: UsageTotals = { total: emptyUsage(), byProvider: {}, byModel: {} };
    for (const [model, { provider, usage }] of usageByModel(hash)) {
      totals.byModel[model] = usage;
      totals.byProvider[provider] ??= emptyUsage();
      mergeUsage(totals.byProvider[provider], usage);
      mergeUsage(totals.total, usage);
    }
    return totals;
  }

  async series(options: UsageSeriesOptions): Promise<UsageHistorySeries> {
    await this.flush();
    const now = this.#now();
    // Minutes from the first whole hour they all still exist, hours from the first whole day: no call is
    // counted in two grains, and the stretches meet on boundaries that both grains share.
    const minutesFrom = Math.ceil((now - KEEP_MINUTES_MS) / HOUR_MS) * HOUR_MS;
    const hoursFrom = Math.ceil((now - KEEP_HOURS_MS) / DAY_MS) * DAY_MS;
    const since = options.since?.getTime() ?? -Infinity;
    const ranges: Array<{ grain: string; from: number; to: number }> = [
      { grain: 'minute', from: Math.max(minutesFrom, since - MINUTE_MS), to: Infinity },
      { grain: 'hour', from: Math.max(hoursFrom, since - HOUR_MS), to: minutesFrom },
      { grain: 'day', from: since - DAY_MS, to: hoursFrom },
    ];
    const client = this.#connection.client;
    const keys = (
      await Promise.all(
        ranges.map(({ grain, from, to }) =>
          from >= to
            ? []
            : this.#connection.run(() =>
                client.zrangebyscore(
                  this.#keys.index(grain),
                  Number.isFinite(from) ? from : '-inf',
                  Number.isFinite(to) ? `(${to}` : '+inf',
                ),
              ),
        ),
      )
    ).flat();
    const hashes = await this.#connection.run(async () => {
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      return (await pipeline.exec()) ?? [];
    });
    const held: Array<[number, Map<string, Usage>]> = [];
    keys.forEach((key, index) => {
      const [error, hash] = hashes[index] ?? [];
      if (error || !hash) return;
      const start = Number(key.slice(key.lastIndexOf(':') + 1));
      const models = new Map(
        [...usageByModel(hash as Record<string, string>)].map(([model, { usage }]) => [model, usage]),
      );
      if (models.size > 0) held.push([start, models]);
    });
    return seriesOf(held, options);
  }

  /** Sends what is pending if Redis is there now; otherwise logs what this member's ledger keeps alone. */
  async close(): Promise<void> {
    if (this.#connection.available) await this.flush();
    const left = [...this.#pending.values()].reduce((calls, delta) => calls + delta.usage.calls, 0);
    if (left > 0)
      this.#logger.warn(
        { calls: left },
        "cluster: calls not added to the shared ledger (Redis away); they stay in this member's ledger",
      );
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = this.#pending;
      this.#pending = new Map();
      try {
        await this.#connection.run(() =>
          (this.#connection.client as unknown as LedgerCommands).agentdLedgerRecord(
            0,
            JSON.stringify(this.#script(batch)),
          ),
        );
      } catch (error) {
        // Back into the pending counts (a retry after a lost reply may count a batch twice: rare, and visible
        // only in the shared view; each member's ledger.jsonl stays exact).
        for (const [key, delta] of batch) {
          const newer = this.#pending.get(key);
          if (newer) {
            mergeUsage(delta.usage, newer.usage);
            delta.unknownCalls += newer.unknownCalls;
          }
          this.#pending.set(key, delta);
        }
        this.#logger.warn({ err: error }, 'cluster: calls not yet added to the shared ledger; sent with the next ones');
        return;
      }
    }
  }

  #script(batch: Map<string, Delta>): { writes: unknown[]; prune: unknown[] } {
    const writes = new Map<
      string,
      {
        key: string;
        ints: Record<string, string>;
        floats: Record<string, string>;
        expireAt?: number;
        index?: string;
        score?: number;
      }
    >();
    const write = (key: string, extra: { expireAt?: number; index?: string; score?: number }) => {
      let entry = writes.get(key);
      if (!entry) {
        entry = { key, ints: {}, floats: {}, ...extra };
        writes.set(key, entry);
      }
      return entry;
    };
    for (const delta of batch.values()) {
      const targets = [write(this.#keys.totals, {})];
      for (const grain of GRAINS) {
        const start = Math.floor(delta.minute / grain.ms) * grain.ms;
        targets.push(
          write(this.#keys.bucket(grain.name, start), {
            index: this.#keys.index(grain.name),
            score: start,
            ...(grain.keepMs !== undefined ? { expireAt: start + grain.keepMs } : {}),
          }),
        );
      }
      const values: Record<(typeof COUNTS)[number], number> = {
        calls: delta.usage.calls,
        promptTokens: delta.usage.promptTokens,
        completionTokens: delta.usage.completionTokens,
        costUnknown: delta.unknownCalls,
      };
      for (const target of targets) {
        for (const kind of COUNTS) {
          if (values[kind] === 0) continue;
          const name = field(kind, delta.provider, delta.model);
          target.ints[name] = String(Number(target.ints[name] ?? 0) + values[kind]);
        }
        const cost = field('costUsd', delta.provider, delta.model);
        target.floats[cost] = String(Number(target.floats[cost] ?? 0) + delta.usage.costUsd);
      }
    }
    const now = this.#now();
    const prune = GRAINS.flatMap((grain) =>
      grain.keepMs === undefined ? [] : [{ index: this.#keys.index(grain.name), below: now - grain.keepMs }],
    );
    return { writes: [...writes.values()], prune };
  }
}

interface LedgerCommands {
  agentdLedgerRecord(numberOfKeys: number, ...arguments_: string[]): Promise<number>;
}
