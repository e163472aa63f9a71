import type { Redis as RedisClient } from 'ioredis';
import type { Logger } from '../logger.js';
import type { QueueHandlers, SharedRunQueue } from '../runs/run-queue.js';
import type { Usage } from '../types/run-record.js';
import { renewIntervalMs } from './lease-keeper.js';
import type { RedisConnection } from './redis-connection.js';
import type { RunFence } from './run-fence.js';
import { CLAIM_SCRIPT, REAP_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT, TAKE_OVER_SCRIPT } from './run-queue-scripts.js';
import type { SharedBudget } from './shared-budget.js';

/** How often a member looks for waiting runs without being told (a lost wake-up message costs this much). */
const POLL_MS = 1_000;
/** How long a cancel asked for a run is kept for the member that takes it next. */
const CANCEL_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;

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
 * poll puts runs whose lease expired back at the front of the queue. A cancel is also kept as
 * `<prefix>:cancel:<id>` until the run is queued again by a user, so a member that takes the run after its
 * executor died ends it cancelled. A member that could not renew a lease for its whole time to live stops the
 * run at once, Redis or not; its writes still on their way are refused by the fence (run-fence.ts).
 *
 * Why not BullMQ: the run record is the source of truth for a run's state (queued, running, cancelled...), and
 * cancelling a run another member is executing, resuming a failed one, and giving runs back on a graceful stop
 * are the run manager's; BullMQ keeps its own job states beside the record and has no cancel of an active job,
 * so both would have to be kept in step. The scripts of run-queue-scripts.ts are the whole protocol.
 */
export class ClusterRunQueue implements SharedRunQueue {
  readonly member: string;
  readonly #connection: RedisConnection;
  readonly #subscriber: RedisClient;
  readonly #budget: SharedBudget;
  readonly #fence: RunFence;
  readonly #logger: Logger;
  readonly #leaseMs: number;
  readonly #keys: { queue: string; running: string; lease: string; wake: string; control: string; cancel: string };
  /** The runs this member holds a lease on, with when (local clock) the lease was last known to be renewed. */
  readonly #held = new Map<string, number>();
  #handlers: QueueHandlers | undefined;
  #waiting = 0;
  /** A claim is under way; `#claimAgain`: a run may have been queued meanwhile. */
  #claiming = false;
  #claimAgain = false;
  #renewTimer: NodeJS.Timeout | undefined;
  /** When a slow renewal was last logged. */
  #lastGapWarning = Number.NEGATIVE_INFINITY;
  #pollTimer: NodeJS.Timeout | undefined;

  private constructor(options: QueueOptions & { subscriber: RedisClient }) {
    this.member = options.fence.member;
    this.#connection = options.connection;
    this.#subscriber = options.subscriber;
    this.#budget = options.budget;
    this.#fence = options.fence;
    this.#logger = options.logger;
    this.#leaseMs = options.leaseMs;
    const prefix = options.prefix;
    this.#keys = {
      queue: `${prefix}:queue`,
      running: options.fence.runningKey,
      lease: `${prefix}:run-lease:`,
      wake: `${prefix}:queue-wake`,
      control: `${prefix}:run-control`,
      cancel: `${prefix}:cancel:`,
    };
    options.fence.whenLost((id) => this.#lose(id));
  }

  static async open(options: QueueOptions): Promise<ClusterRunQueue> {
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

  /** The queue is Redis's: this member lists none of it. */
  get waitingIds(): readonly string[] {
    return [];
  }

  /** Queued once its record is written; a cancel asked before (of an earlier execution) no longer applies. */
  push(id: string, saved: Promise<void>): { position: undefined; queued: Promise<void> } {
    const queued = saved.then(async () => {
      const client = this.#connection.client;
      const replies = await this.#connection.run(() =>
        client
          .multi()
          .del(this.#keys.cancel + id)
          .rpush(this.#keys.queue, id)
          .publish(this.#keys.wake, id)
          .exec(),
      );
      this.#waiting = Number(replies?.[1]?.[1] ?? this.#waiting);
    });
    // The caller awaits `saved` first: if that fails, this is its echo, not a second error to report.
    queued.catch(() => undefined);
    return { position: undefined, queued };
  }

  /** Takes runs from the queue while the manager has free slots (one claim at a time). */
  schedule(): void {
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    if (!this.#handlers) return;
    this.#claiming = true;
    void (async () => {
      while (this.#handlers?.hasSlot()) {
        const id = await this.#claim();
        if (id === undefined) break;
        // Stopped while the claim was on its way: the run goes back first in line for another member.
        if (this.#handlers?.hasSlot()) this.#handlers.start(id);
        else await this.requeue(id);
      }
    })()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'cluster: cannot take a run from the queue'))
      .finally(() => {
        this.#claiming = false;
        if (this.#claimAgain) {
          this.#claimAgain = false;
          this.schedule();
        }
      });
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

  async requestCancel(id: string): Promise<boolean> {
    const client = this.#connection.client;
    await this.#connection.run(() =>
      client
        .multi()
        .set(this.#keys.cancel + id, '1', 'PX', CANCEL_REQUEST_TTL_MS)
        .publish(this.#keys.control, JSON.stringify({ type: 'cancel', id }))
        .exec(),
    );
    return true;
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.#connection.run(() => this.#connection.client.exists(this.#keys.cancel + id))) === 1;
  }

  async takeOver(id: string): Promise<boolean> {
    const renewedAt = Date.now();
    const taken = await this.#connection.run(() =>
      this.#connection.client.eval(
        TAKE_OVER_SCRIPT,
        1,
        this.#keys.running,
        id,
        this.member,
        String(this.#leaseMs),
        this.#keys.lease,
      ),
    );
    if (Number(taken) !== 1) return false;
    this.#held.set(id, renewedAt);
    return true;
  }

  runUsage(id: string): Promise<Usage> {
    return this.#budget.runUsage(id);
  }

  listen(handlers: QueueHandlers): void {
    this.#handlers = handlers;
    this.#renewTimer ??= setInterval(() => void this.#renew(), renewIntervalMs(this.#leaseMs));
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

  async #claim(): Promise<string | undefined> {
    const renewedAt = Date.now();
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
    this.#held.set(id, renewedAt);
    this.#fence.enter(id);
    return id;
  }

  async #release(id: string, requested: 'end' | 'front'): Promise<void> {
    const held = this.#held.has(id);
    // The lease outlives the run's writes still on their way: they land while this member holds the run.
    if (held) await this.#fence.writesLanded(id);
    // A run stopped here for a lost lease that Redis still says is this member's (Redis was down for all, or
    // it was not reaped yet) goes back to the queue to be resumed; the script does nothing if it is another's.
    const mode = held ? requested : 'front';
    this.#held.delete(id);
    this.#fence.leave(id);
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

  /** The lease is gone (or may be): the run stops here; its execution's writes stay refused until it ends. */
  #lose(id: string): void {
    if (!this.#held.delete(id)) return;
    this.#logger.warn({ runId: id }, 'cluster: lease on a run lost; this member stops executing it');
    this.#handlers?.lost(id);
  }

  async #renew(): Promise<void> {
    // Unrenewed for a whole lease (Redis away): another member may take the run at any moment, so stop now.
    const now = Date.now();
    for (const [id, renewedAt] of this.#held) if (now - renewedAt >= this.#leaseMs) this.#lose(id);
    if (this.#held.size === 0 || !this.#connection.available) return;
    const ids = [...this.#held.keys()];
    try {
      const lost = (await this.#connection.client.eval(
        RENEW_SCRIPT,
        0,
        this.member,
        String(this.#leaseMs),
        this.#keys.lease,
        ...ids,
      )) as string[];
      let longest = 0;
      for (const id of ids) {
        const previous = this.#held.get(id);
        if (previous === undefined || lost.includes(id)) continue;
        longest = Math.max(longest, now - previous);
        this.#held.set(id, now);
      }
      this.#noteRenewalGap(longest, now);
      // Redis was away longer than the lease: another member may be resuming the run by now.
      for (const id of lost) this.#lose(id);
    } catch (error) {
      this.#logger.debug({ err: error }, 'cluster: run lease renewal failed; retried at the next tick');
    }
  }

  /**
   * Says so when a lease went unrenewed for more than half its time to live: the event loop was busy past the
   * renewal (CPU work of the runs, an overloaded machine) or Redis was slow or away, and a longer gap would
   * lose the run to another member. Once a minute at most.
   */
  #noteRenewalGap(gapMs: number, now: number): void {
    if (gapMs <= this.#leaseMs / 2 || now - this.#lastGapWarning < 60_000) return;
    this.#lastGapWarning = now;
    this.#logger.warn(
      { gapMs, leaseTtlMs: this.#leaseMs, intervalMs: renewIntervalMs(this.#leaseMs) },
      'cluster: a run lease went unrenewed for more than half its time to live (busy event loop or slow Redis); a longer gap loses the run to another member (cluster.leaseTtlMs)',
    );
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
      if (this.#waiting > 0) this.schedule();
    } catch (error) {
      this.#logger.debug({ err: error }, 'cluster: queue poll failed; retried at the next tick');
    }
  }

  #heard(channel: string, message: string): void {
    if (channel === this.#keys.wake) {
      this.schedule();
      return;
    }
    const control = controlMessage(message);
    if (control?.type === 'cancel' && typeof control.id === 'string' && this.#held.has(control.id))
      this.#handlers?.cancel(control.id);
  }
}

interface QueueOptions {
  connection: RedisConnection;
  prefix: string;
  budget: SharedBudget;
  /** This member's runs in execution: `member` is this member's id. */
  fence: RunFence;
  logger: Logger;
  leaseMs: number;
}
