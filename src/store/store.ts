import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StoreError } from '../errors.js';
import { AppendLog, type CorruptLine } from './append-log.js';
import { ensureWritableDirectory } from './writable-directory.js';
import { JsonDocument } from './json-document.js';
import { RunStore } from './run-store.js';
import type { RunStorage } from './run-storage.js';

/**
 * Bumped when the on-disk layout changes; a daemon refuses a store newer than it understands.
 * 2: each run's summary is its folder's `summary.json`, no longer one `runs-index.json` (migrated at open).
 */
export const STORE_SCHEMA_VERSION = 2;

const metaSchema = z.object({ schemaVersion: z.number().int().positive(), createdAt: z.string() });

/**
 * The daemon's persistent state under `<dataDir>/store/`:
 * `meta.json` (schema version), `runs/<id>/` (see RunStore), `ledger.jsonl` (one line per
 * LLM call) and `cache/` (LLM answers and pages shared across runs). Only the daemon opens it; the CLI talks
 * to the daemon over HTTP.
 */
export class Store {
  readonly directory: string;
  /** The data dir's RunStore, or the cluster's store when the daemon is a cluster member. */
  readonly runs: RunStorage;
  readonly ledger: AppendLog<unknown>;
  #ledgerEntries: unknown[];
  /** Corrupt ledger lines skipped at open (the daemon logs them). */
  readonly ledgerCorrupt: readonly CorruptLine[];

  private constructor(
    directory: string,
    runs: RunStorage,
    ledger: { log: AppendLog<unknown>; entries: unknown[]; corrupt: CorruptLine[] },
  ) {
    this.directory = directory;
    this.runs = runs;
    this.ledger = ledger.log;
    this.#ledgerEntries = ledger.entries;
    this.ledgerCorrupt = ledger.corrupt;
  }

  /** @param options.runs where runs live instead of the data dir (a cluster's shared store). */
  static async open(dataDir: string, options: { runs?: RunStorage } = {}): Promise<Store> {
    const directory = path.join(dataDir, 'store');
    ensureWritableDirectory(path.join(directory, 'cache'));
    const meta = await JsonDocument.create(
      path.join(directory, 'meta.json'),
      { schemaVersion: STORE_SCHEMA_VERSION, createdAt: new Date().toISOString() },
      (value) => metaSchema.parse(value),
    );
    if (meta.data.schemaVersion > STORE_SCHEMA_VERSION) {
      throw new StoreError(
        `the store in ${directory} has schema version ${meta.data.schemaVersion}; this agentd understands up to ${STORE_SCHEMA_VERSION}: upgrade agentd`,
      );
    }
    const runs = options.runs ?? (await RunStore.open(directory));
    // Written after the runs are opened: an older store has been migrated by then (see RunStore.open).
    meta.data.schemaVersion = STORE_SCHEMA_VERSION;
    await meta.write();
    const ledger = AppendLog.open<unknown>(path.join(directory, 'ledger.jsonl'));
    return new Store(directory, runs, ledger);
  }

  /**
   * The ledger's entries as read at open, for the usage totals; handed over once and then forgotten, so that
   * the daemon does not hold every call ever made.
   */
  takeLedgerEntries(): unknown[] {
    const entries = this.#ledgerEntries;
    this.#ledgerEntries = [];
    return entries;
  }

  /** The folder for a named cache, created on demand. */
  cacheDirectory(name: string): string {
    const directory = path.join(this.directory, 'cache', name);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    return directory;
  }

  async close(): Promise<void> {
    this.ledger.close();
    await this.runs.close();
  }
}
