import type { Redis as RedisClient } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Usage } from '../runs/run-record.js';
import type { QueueHandlers, SharedRunQueue } from '../runs/shared-run-queue.js';
import type { RedisConnection } from './redis-connection.js';
import type { SharedBudget } from './shared-budget.js';

/**
 * Takes the first waiting run and leases it to a member, in one step: no two members take one run.
 * KEYS: queue list, running hash (id → member). ARGV: member, lease ms, lease key prefix. Returns the id or nil.
 */
const CLAIM_SCRIPT = `
local id = redis.call('LPOP', KEYS[1])
if not id then return false end
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('SET', ARGV[3] .. id, ARGV[1], 'PX', tonumber(ARGV[2]))
return id
`;

/** Renews this member's leases. KEYS: none. ARGV: member, lease ms, lease key prefix, ids... Returns ids lost. */
const RENEW_SCRIPT = `
local lost = {}
for i = 4, #ARGV do
  local key = ARGV[3] .. ARGV[i]
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, tonumber(ARGV[2]))
  else table.insert(lost, ARGV[i]) end
end
return lost
`;

/**
 * Ends a lease this member holds; with ARGV[3] = 'front', gives the run back to the front of the queue.
 * KEYS: queue, running. ARGV: id, member, mode, lease key prefix.
 */
const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', ARGV[4] .. ARGV[1])
if ARGV[3] == 'front' then redis.call('LPUSH', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * Runs whose lease expired (their member died) go back to the front of the queue, each in the same step as it
 * leaves the running hash: a run is never both lost and forgotten. KEYS: queue, running. ARGV: lease key prefix.
 */
const REAP_SCRIPT = `
local reaped = {}
local running = redis.call('HGETALL', KEYS[2])
for i = 1, #running, 2 do
  local id = running[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('LPUSH', KEYS[1], id)
    table.insert(reaped, id)
    table.insert(reaped, running[i + 1])
  end
end
return reaped
`;

/** How often a member looks for waiting runs without being told (a lost wake-up message costs this much). */
const POLL_MS = 1_000;

const controlMessage = (text: string): { type?: unknown; id?: unknown } | undefined => {
  try {
    return JSON.parse(text) as { type?: unknown; id?: unknown };
  } catch {
    return undefined;
  }
};

/**
 * The cluster's one run queue in Redis: a list of waiting run ids, a hash of the runs being executed (by which
 * member), and one expiring lease key per executing run, renewed every third of its time to live. Members hear
 * `<prefix>:queue-wake` when a run is queued and `<prefix>:run-control` for cancels; they also poll, and every
 * poll puts runs whose lease expired back at the front of the queue.
 *
 * Why not BullMQ: the run record is the source of truth for a run's state (queued, running, cancelled...), and
 * cancelling a run another member is executing, resuming a failed one, and giving runs back on a graceful stop
 * are the run manager's; BullMQ keeps its own job states beside the record and has no cancel of an active job,
 * so both would have to be kept in step. These four scripts are the whole protocol.
 */
export class ClusterRunQueue implements SharedRunQueue {
  readonly member: string;
  readonly #connection: RedisConnection;
  readonly #subscriber: RedisClient;
  readonly #budget: SharedBudget;
  readonly #logger: Logger;
  readonly #leaseMs: number;
  readonly #keys: { queue: string; running: string; lease: string; wake: string; control: string };
  readonly #held = new Set<string>();
  #handlers: QueueHandlers | undefined;
  #waiting = 0;
  #renewTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;

  private constructor(options: {
    connection: RedisConnection;
    subscriber: RedisClient;
    prefix: string;
    member: string;
    budget: SharedBudget;
    logger: Logger;
    leaseMs: number;
  }) {
    this.member = options.member;
    this.#connection = options.connection;
    this.#subscriber = options.subscriber;
    this.#budget = options.budget;
    this.#logger = options.logger;
    this.#leaseMs = options.leaseMs;
    const prefix = options.prefix;
    this.#keys = {
      queue: `${prefix}:queue`,
      running: `${prefix}:running`,
      lease: `${prefix}:run-lease:`,
      wake: `${prefix}:queue-wake`,
      control: `${prefix}:run-control`,
    };
  }

  static async open(options: {
    connection: RedisConnection;
    prefix: string;
    member: string;
    budget: SharedBudget;
    logger: Logger;
    leaseMs: number;
  }): Promise<ClusterRunQueue> {
    const subscriber = options.connection.client.duplicate({ lazyConnect: true });
    subscriber.on('error', (error: Error) => options.logger.debug({ err: error }, 'cluster: queue subscriber error'));
    await subscriber.connect();
    const queue = new ClusterRunQueue({ ...options, subscriber });
    subscriber.on('message', (channel: string, message: string) => queue.#heard(channel, message));
    await subscriber.subscribe(queue.#keys.wake, queue.#keys.control);
    return queue;
  }

  get waiting(): number {
    return this.#waiting;
  }

  async push(id: string, options: { front?: boolean } = {}): Promise<void> {
    const client = this.#connection.client;
    const replies = await this.#connection.run(() =>
      client.multi()[options.front ? 'lpush' : 'rpush'](this.#keys.queue, id).publish(this.#keys.wake, id).exec(),
    );
    this.#waiting = Number(replies?.[0]?.[1] ?? this.#waiting);
  }

  async claim(): Promise<string | undefined> {
    const id = (await this.#connection.run(() =>
      this.#connection.client.eval(
        CLAIM_SCRIPT,
        2,
        this.#keys.queue,
        this.#keys.running,
        this.member,
        String(this.#leaseMs),
        this.#keys.lease,
      ),
    )) as string | null;
    if (id === null) {
      this.#waiting = 0;
      return undefined;
    }
    this.#held.add(id);
    return id;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#connection.run(() => this.#connection.client.lrem(this.#keys.queue, 0, id))) > 0;
  }

  async holder(id: string): Promise<string | undefined> {
    const member = await this.#connection.run(() => this.#connection.client.hget(this.#keys.running, id));
    return member ?? undefined;
  }

  release(id: string): Promise<void> {
    return this.#release(id, 'end');
  }

  requeue(id: string): Promise<void> {
    return this.#release(id, 'front');
  }

  async requestCancel(id: string): Promise<void> {
    await this.#connection.run(() =>
      this.#connection.client.publish(this.#keys.control, JSON.stringify({ type: 'cancel', id })),
    );
  }

  runUsage(id: string): Promise<Usage> {
    return this.#budget.runUsage(id);
  }

  listen(handlers: QueueHandlers): void {
    this.#handlers = handlers;
    this.#renewTimer ??= setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#renewTimer.unref();
    this.#pollTimer ??= setInterval(() => void this.#poll(), Math.min(POLL_MS, this.#leaseMs));
    this.#pollTimer.unref();
  }

  async close(): Promise<void> {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#handlers = undefined;
    this.#subscriber.disconnect();
  }

  async #release(id: string, mode: 'end' | 'front'): Promise<void> {
    this.#held.delete(id);
    await this.#connection.run(() =>
      this.#connection.client.eval(
        RELEASE_SCRIPT,
        2,
        this.#keys.queue,
        this.#keys.running,
        id,
        this.member,
        mode,
        this.#keys.lease,
      ),
    );
    if (mode === 'front') await this.#connection.run(() => this.#connection.client.publish(this.#keys.wake, id));
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0 || !this.#connection.available) return;
    try {
      const lost = (await this.#connection.client.eval(
        RENEW_SCRIPT,
        0,
        this.member,
        String(this.#leaseMs),
        this.#keys.lease,
        ...this.#held,
      )) as string[];
      for (const id of lost) {
        // Redis was away longer than the lease: another member may be resuming the run by now.
        this.#logger.warn({ runId: id }, 'cluster: lease on a run lost; this member stops executing it');
        this.#held.delete(id);
        this.#handlers?.lost(id);
      }
    } catch (error) {
      this.#logger.debug({ err: error }, 'cluster: run lease renewal failed; retried at the next tick');
    }
  }

  async #poll(): Promise<void> {
    if (!this.#connection.available) return;
    try {
      const reaped = (await this.#connection.client.eval(
        REAP_SCRIPT,
        2,
        this.#keys.queue,
        this.#keys.running,
        this.#keys.lease,
      )) as string[];
      for (let index = 0; index < reaped.length; index += 2)
        this.#logger.warn(
          { runId: reaped[index], member: reaped[index + 1] },
          'cluster: a member stopped renewing its lease on a run; the run is queued again to be resumed',
        );
      this.#waiting = await this.#connection.client.llen(this.#keys.queue);
      if (this.#waiting > 0) this.#handlers?.wake();
    } catch (error) {
      this.#logger.debug({ err: error }, 'cluster: queue poll failed; retried at the next tick');
    }
  }

  #heard(channel: string, message: string): void {
    if (channel === this.#keys.wake) {
      this.#handlers?.wake();
      return;
    }
    const control = controlMessage(message);
    if (control?.type === 'cancel' && typeof control.id === 'string' && this.#held.has(control.id))
      this.#handlers?.cancel(control.id);
  }
}
