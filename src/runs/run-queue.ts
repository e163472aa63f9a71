import type { Usage } from '../types/run-record.js';

/** What a queue calls on the run manager. */
export interface QueueHandlers {
  /** Whether the manager takes one more run now (a free slot, and not stopping). */
  hasSlot(): boolean;
  /** Executes a run the queue handed over. */
  start(id: string): void;
  /** Another member asks to cancel a run executing here (cluster). */
  cancel(id: string): void;
  /**
   * This member's lease on a run it executes is lost (Redis was away too long, or refused a write): another
   * member may be resuming it, so this one stops at once and writes nothing more of it (cluster).
   */
  lost(id: string): void;
}

/**
 * Where runs wait for a slot. `LocalRunQueue` keeps them in this process (the default); in a cluster,
 * `ClusterRunQueue` (src/cluster/) keeps them in Redis, shared by every member (`SharedRunQueue`).
 */
export interface RunQueue {
  /** This member's id in a cluster, written on the runs it executes (`member`); undefined alone. */
  readonly member: string | undefined;
  /** Runs waiting, as last seen. */
  readonly waiting: number;
  /** The waiting runs, first to start first, when this process knows them (none listed in a cluster). */
  readonly waitingIds: readonly string[];
  /** Starts serving: from now on the queue hands runs to `handlers.start` while `handlers.hasSlot()`. */
  listen(handlers: QueueHandlers): void;
  /**
   * Appends a run. The local queue does it at once and knows its position (for `run-queued`); the cluster's
   * once `saved` (its record) is written, so that no member takes a run it cannot read.
   */
  push(id: string, saved: Promise<void>): { position: number | undefined; queued: Promise<void> };
  /** Hands waiting runs over while there are slots: after a run is queued or a slot is freed. */
  schedule(): void;
  /** Takes a waiting run out of the queue; false when it was not waiting (taken, or never queued). */
  remove(id: string): Promise<boolean>;
  /** The run's execution here has ended (in a cluster, its lease ends; a no-op if it was given back or lost). */
  release(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The run queue of a cluster, shared by its members (src/cluster/cluster-run-queue.ts implements it over
 * Redis). A member takes a run only when it has a free slot, and holds a lease on it while executing; when a
 * member dies its leases expire, and the runs go back to the front of the queue for another member to resume
 * from their stored steps.
 */
export interface SharedRunQueue extends RunQueue {
  readonly member: string;
  /** The member holding the run's lease, if one does. */
  holder(id: string): Promise<string | undefined>;
  /** Gives a run this member was executing back to the front of the queue (this member is stopping). */
  requeue(id: string): Promise<void>;
  /** Asks whichever member executes the run, or will, to cancel it (the request is kept until it does). */
  requestCancel(id: string): Promise<boolean>;
  /** Whether a cancel was asked for the run since it was last queued by a user. */
  cancelRequested(id: string): Promise<boolean>;
  /**
   * Takes the lease of a run whose member stopped renewing it (it died) before any member resumes it; false
   * when the lease is alive or the run is not held. The caller then ends the run and releases it.
   */
  takeOver(id: string): Promise<boolean>;
  /** The usage of the run's calls on every member (the ledger of one member knows only its own). */
  runUsage(id: string): Promise<Usage>;
}
