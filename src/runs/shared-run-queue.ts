import type { Usage } from './run-record.js';

/**
 * The run queue of a cluster, shared by its members (src/cluster/cluster-run-queue.ts implements it over
 * Redis). A member takes a run only when it has a free slot, and holds a lease on it while executing; when a
 * member dies its leases expire, and the runs go back to the front of the queue for another member to resume
 * from their stored steps. Without a cluster the run manager keeps its queue in memory instead.
 */
export interface SharedRunQueue {
  /** This member's id, written on the runs it executes (`member`). */
  readonly member: string;
  /** Appends the run to the queue (or puts it first) and wakes the members. */
  push(id: string, options?: { front?: boolean }): Promise<void>;
  /** Takes the first waiting run and leases it to this member; undefined when none waits. */
  claim(): Promise<string | undefined>;
  /** Takes a waiting run out of the queue; false when it was not waiting (taken, or never queued). */
  remove(id: string): Promise<boolean>;
  /** The member holding the run's lease, if one does. */
  holder(id: string): Promise<string | undefined>;
  /** Ends this member's lease on a run whose execution ended here. */
  release(id: string): Promise<void>;
  /** Gives a run this member was executing back to the front of the queue (this member is stopping). */
  requeue(id: string): Promise<void>;
  /** Asks whichever member executes the run to cancel it. */
  requestCancel(id: string): Promise<void>;
  /** Runs waiting in the queue, as last seen. */
  readonly waiting: number;
  /** The usage of the run's calls on every member (the ledger of one member knows only its own). */
  runUsage(id: string): Promise<Usage>;
  /**
   * `wake` is called when a run may be waiting (one was queued anywhere, or a dead member's lease expired);
   * `cancel` when another member asks this one to cancel a run; `lost` when this member's lease on a run could
   * not be renewed in time (Redis was away), so another member may be resuming it: this one stops at once.
   */
  listen(handlers: QueueHandlers): void;
  close(): Promise<void>;
}

export interface QueueHandlers {
  wake: () => void;
  cancel: (id: string) => void;
  lost: (id: string) => void;
}
