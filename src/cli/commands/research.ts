import type { Config } from '../../config/load-config.js';
import type { Run } from '../../types/run-record.js';
import { DaemonClient } from '../daemon-client.js';
import { followRun } from '../follow-run.js';
import { ExitCode, type Output } from '../output.js';
import { describeRun } from './runs.js';

export interface ResearchOptions {
  topic: string;
  language?: string | undefined;
  budgetUsd?: number | undefined;
  team?: string[] | undefined;
  follow: boolean;
  json: boolean;
}

/**
 * `agentd research "TOPIC"`: submits a run. With `--follow`: live progress on standard error, then the report
 * on standard output (the run as JSON with `--json`). Ctrl-C detaches; the run goes on in the daemon.
 * Exit codes with --follow: 0 completed, 1 failed or cancelled, 130 detached.
 */
export async function researchCommand(config: Config, options: ResearchOptions, output: Output): Promise<number> {
  const client = new DaemonClient(config);
  const body: Record<string, unknown> = { topic: options.topic };
  if (options.language) body.language = options.language;
  if (options.budgetUsd !== undefined) body.budgetUsd = options.budgetUsd;
  if (options.team) body.team = options.team;
  const submitted = await client.request<{ id: string; status: string }>('POST', '/v1/runs', body);
  if (!options.follow) {
    output.out(
      options.json
        ? JSON.stringify(submitted)
        : `run ${submitted.id} queued (follow it with: agentd show ${submitted.id})`,
    );
    return ExitCode.ok;
  }
  if (!options.json) output.error(`run ${submitted.id} queued`);
  const outcome = await followRun(client, submitted.id, output, {
    isTTY: process.stderr.isTTY === true && !options.json,
  });
  if (outcome === 'detached') {
    output.error(`detached; run ${submitted.id} goes on (agentd show ${submitted.id})`);
    return 130;
  }
  const run = await client.request<Run>('GET', `/v1/runs/${encodeURIComponent(submitted.id)}`);
  if (options.json) output.out(JSON.stringify(run, null, 2));
  // A team without the researcher writes no report: what it found (keywords, articles) is the run itself.
  else if (run.status === 'completed') output.out(run.report || describeRun(run));
  else output.error(describeRun(run));
  return run.status === 'completed' ? ExitCode.ok : ExitCode.failure;
}
