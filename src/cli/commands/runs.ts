import { writeFileSync } from 'node:fs';
import type { Config } from '../../config/load-config.js';
import { MAX_RUN_PAGE, type Run, type RunPage, type RunSummary } from '../../types/run-record.js';
import { DaemonClient } from '../daemon-client.js';
import { ExitCode, type Output } from '../output.js';
import { forTerminal } from '../terminal-text.js';

export interface ListRunsOptions {
  json: boolean;
  /** Runs to show; the daemon's page size when undefined. */
  limit?: number | undefined;
  /** Only runs older than this one (the `next` of a previous listing). */
  before?: string | undefined;
  /** Every run, a page at a time. */
  all?: boolean | undefined;
}

/** `agentd runs [--limit N] [--before ID] [--all] [--json]`: runs, newest first, a page at a time. */
export async function listRunsCommand(config: Config, options: ListRunsOptions, output: Output): Promise<number> {
  const client = new DaemonClient(config);
  const runs: RunSummary[] = [];
  let before = options.before;
  let next: string | undefined;
  do {
    const query = new URLSearchParams();
    const limit = options.all ? MAX_RUN_PAGE : options.limit;
    if (limit !== undefined) query.set('limit', String(limit));
    if (before !== undefined) query.set('before', before);
    const page = await client.request<RunPage>('GET', `/v1/runs${query.size > 0 ? `?${query}` : ''}`);
    runs.push(...page.runs);
    next = page.next;
    before = next;
  } while (options.all && next !== undefined);
  if (options.json) {
    output.out(JSON.stringify(runs, null, 2));
    if (next !== undefined) output.error(`older runs: ${nextPageCommand(options, next)}`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    output.out(
      options.before === undefined ? 'no runs yet (start one with: agentd research "TOPIC")' : 'no older runs',
    );
    return ExitCode.ok;
  }
  const rows = runs.map((run) => [
    run.id,
    run.status,
    run.createdAt.replace('T', ' ').slice(0, 19),
    `$${run.costUsd.toFixed(4)}`,
    truncate(run.topic, 60),
  ]);
  output.out(table([['ID', 'STATUS', 'CREATED', 'COST', 'TOPIC'], ...rows]));
  // On standard error: the table stays the only thing on standard output.
  if (next !== undefined) output.error(`older runs: ${forTerminal(nextPageCommand(options, next))}`);
  return ExitCode.ok;
}

/** The command for the next page: the same page size and output, older runs (`--config` is the user's own). */
function nextPageCommand(options: ListRunsOptions, next: string): string {
  const limit = options.limit === undefined ? '' : ` --limit ${options.limit}`;
  return `agentd runs${limit} --before ${next}${options.json ? ' --json' : ''}`;
}

/** `agentd show ID [--json]`: one run's record. */
export async function showRunCommand(
  config: Config,
  id: string,
  options: { json: boolean },
  output: Output,
): Promise<number> {
  const run = await new DaemonClient(config).request<Run>('GET', `/v1/runs/${encodeURIComponent(id)}`);
  if (options.json) {
    output.out(JSON.stringify(run, null, 2));
    return ExitCode.ok;
  }
  output.out(describeRun(run));
  return ExitCode.ok;
}

/** `agentd report ID [-o FILE]`: the Markdown report, to standard output or a file. */
export async function reportCommand(
  config: Config,
  id: string,
  options: { file?: string | undefined },
  output: Output,
): Promise<number> {
  const report = await new DaemonClient(config).request<string>('GET', `/v1/runs/${encodeURIComponent(id)}/report`);
  if (options.file) {
    writeFileSync(options.file, report);
    output.error(`report written to ${options.file}`);
  } else output.out(report);
  return ExitCode.ok;
}

/** `agentd cancel ID` and `agentd resume ID`. */
export async function runActionCommand(
  config: Config,
  action: 'cancel' | 'resume',
  id: string,
  options: { json: boolean },
  output: Output,
): Promise<number> {
  const run = await new DaemonClient(config).request<Run>('POST', `/v1/runs/${encodeURIComponent(id)}/${action}`);
  output.out(options.json ? JSON.stringify(run, null, 2) : `run ${run.id} is ${run.status}`);
  return ExitCode.ok;
}

/** Bounds a stored summary that is longer than the 100 words the wiki action asks for. */
const WIKI_SUMMARY_CHARS = 1000;

export function describeRun(run: Run): string {
  const lines = [
    `run ${run.id}: ${run.status}`,
    `  topic: ${truncate(run.topic, 200)}`,
    `  language: ${run.language}; team: ${run.team.join(', ')}; created ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    `  usage: ${run.usage.calls} calls, ${run.usage.promptTokens} prompt + ${run.usage.completionTokens} completion tokens, $${run.usage.costUsd.toFixed(4)}${run.usage.costUnknown ? ' (some prices unknown)' : ''}`,
  ];
  if (run.keywords.length > 0) lines.push(`  keywords: ${run.keywords.join(', ')}`);
  for (const entry of run.wiki) {
    lines.push(`  wiki: ${entry.title} <${entry.url}>`);
    // The background the run found is what a user reads `show` for; at most 100 words, so printed whole.
    if (entry.summary.trim() !== '') lines.push(`    ${truncate(entry.summary, WIKI_SUMMARY_CHARS)}`);
  }
  lines.push(`  sources: ${run.sources.length}`);
  for (const source of run.sources) lines.push(`    - ${truncate(source.title, 70)} <${source.url}>`);
  if (run.failure) lines.push(`  failure: ${run.failure.code}: ${run.failure.message}`);
  if (run.errors.length > 0) {
    lines.push(`  errors: ${run.errors.length}`);
    for (const error of run.errors) lines.push(`    - [${error.stage}] ${truncate(error.message, 140)}`);
  }
  if (run.report) lines.push(`  report: ${run.report.length} characters (agentd report ${run.id})`);
  return forTerminal(lines.join('\n'));
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}
