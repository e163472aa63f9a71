import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  isRunId,
  isUnfinished,
  runSchema,
  runSummarySchema,
  summarize,
  type Run,
  type RunSummary,
} from '../types/run-record.js';

/** The index of every summary that daemons before schema version 2 kept (and held in memory). */
const LEGACY_INDEX = 'runs-index.json';
const legacyIndexSchema = z.object({ runs: z.array(z.unknown()) });

/** The summary in the run's folder; undefined when there is none or it cannot be read. */
export async function readSummaryFile(directory: string): Promise<RunSummary | undefined> {
  try {
    const parsed = runSummarySchema.safeParse(JSON.parse(await readFile(path.join(directory, 'summary.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Before schema version 2, every summary was kept in `runs-index.json` (and in memory). Once: each becomes
 * its run's `summary.json`, and each run whose record is queued or running gets its `unfinished/` marker.
 */
export function migrateLegacyIndex(directory: string): void {
  const file = path.join(directory, LEGACY_INDEX);
  if (!existsSync(file)) return;
  const indexed = new Map<string, RunSummary>();
  try {
    for (const entry of legacyIndexSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).runs) {
      const parsed = runSummarySchema.safeParse(entry);
      if (parsed.success) indexed.set(parsed.data.id, parsed.data);
    }
  } catch {
    // Unreadable: each summary is derived from its record instead.
  }
  for (const id of readdirSync(path.join(directory, 'runs')).filter(isRunId)) {
    const runDirectory = path.join(directory, 'runs', id);
    let run: Run;
    try {
      run = runSchema.parse(JSON.parse(readFileSync(path.join(runDirectory, 'run.json'), 'utf8')));
    } catch {
      continue;
    }
    const summaryFile = path.join(runDirectory, 'summary.json');
    if (!existsSync(summaryFile)) {
      writeFileSync(`${summaryFile}.tmp`, JSON.stringify(indexed.get(id) ?? summarize(run)));
      renameSync(`${summaryFile}.tmp`, summaryFile);
    }
    if (isUnfinished(run.status)) writeFileSync(path.join(directory, 'unfinished', id), '', { mode: 0o600 });
  }
  rmSync(file, { force: true });
}
