import type { Config } from '../../config/load-config.js';
import { DaemonError } from '../../errors.js';
import type { ProviderHealthState } from '../../types/provider-limits.js';
import { DaemonClient } from '../daemon-client.js';
import { ExitCode, type Output } from '../output.js';

interface StatusAnswer {
  pid: number;
  url: string | null;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  runs?: { active: number; queued: number };
  providers?: Array<{
    name: string;
    type: string;
    limits: Record<string, number | null>;
    inFlight: number;
    queued: number;
    pausedUntil: string | null;
    origin?: string | null;
    health?: ProviderHealthState;
  }>;
  usage?: Spend;
  budget?: { totalUsd: number | null; perRunUsd: number | null };
  cluster?: {
    prefix: string;
    redis: string;
    member: string;
    redisAvailable: boolean;
    members: Array<{ id: string; host: string; url: string | null; runsRunning: number }>;
    usage: Spend | null;
  };
}

interface Spend {
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  calls: number;
  /** Some calls were to a model without a known price: they count $0. */
  costUnknown?: boolean;
}

/** `agentd status [--json]`: pid, URL, uptime, providers and their limiter state, active runs, spend. */
export async function statusCommand(config: Config, options: { json: boolean }, output: Output): Promise<number> {
  const client = new DaemonClient(config);
  let status: StatusAnswer;
  try {
    status = await client.request<StatusAnswer>('GET', '/v1/status');
  } catch (error) {
    if (!(error instanceof DaemonError)) throw error;
    if (options.json) output.out(JSON.stringify({ running: false, url: client.baseURL }));
    // Nothing answers (the usual case), or another program holds the port: the error says which.
    else output.out(error.message);
    return ExitCode.notRunning;
  }
  if (options.json) {
    output.out(JSON.stringify({ running: true, ...status }, null, 2));
    return ExitCode.ok;
  }
  const lines = [
    `agentd ${status.version} running at ${status.url ?? client.baseURL}`,
    `  pid ${status.pid}, up ${formatDuration(status.uptimeSeconds)}`,
  ];
  if (status.runs) lines.push(`  runs: ${status.runs.active} running, ${status.runs.queued} queued`);
  // In a cluster the total budget is checked against every member's spend: it is shown on that line.
  const totalBudget = status.cluster ? undefined : status.budget?.totalUsd;
  if (status.usage) lines.push(...spendLines('spend', status.usage, totalBudget));
  for (const provider of status.providers ?? []) {
    const limits = Object.entries(provider.limits)
      .map(([key, value]) => `${key} ${value ?? '-'}`)
      .join(', ');
    const paused = provider.pausedUntil ? `, paused until ${provider.pausedUntil}` : '';
    const origin = provider.origin ? `, from ${provider.origin}` : '';
    lines.push(
      `  provider ${provider.name} (${provider.type}${origin}): ${limits}; ${provider.inFlight} in flight, ${provider.queued} queued${paused}`,
    );
    if (provider.health) lines.push(`    ${describeHealth(provider.health)}`);
  }
  if (status.cluster) lines.push(...clusterLines(status.cluster, status.budget?.totalUsd));
  output.out(lines.join('\n'));
  return ExitCode.ok;
}

/**
 * The spend against `budget.totalUsd`, and a warning when some calls had no known price: those count $0, so
 * no budget stops them (a paid OpenAI-compatible service at its own baseURL needs `pricing`).
 */
function spendLines(label: string, spend: Spend, totalBudget: number | null | undefined): string[] {
  const budget = typeof totalBudget === 'number' ? ` of $${totalBudget} (budget.totalUsd)` : '';
  const lines = [
    `  ${label}: $${spend.costUsd.toFixed(4)}${budget} over ${spend.calls} calls (${spend.promptTokens + spend.completionTokens} tokens)`,
  ];
  if (spend.costUnknown)
    lines.push(
      '    some calls were to models without a known price: they count $0 and no budget limits them (set pricing["provider/model"] in the config)',
    );
  return lines;
}

function clusterLines(cluster: NonNullable<StatusAnswer['cluster']>, totalBudget: number | null | undefined): string[] {
  const lines = [
    `  cluster "${cluster.prefix}" on Redis ${cluster.redis}${cluster.redisAvailable ? '' : ' (unreachable: new work waits for it)'}, this member ${cluster.member}`,
  ];
  if (cluster.usage) lines.push(...spendLines('cluster spend', cluster.usage, totalBudget));
  for (const member of cluster.members)
    lines.push(
      `  member ${member.id} on ${member.host}: ${member.runsRunning} runs running${member.url ? `, ${member.url}` : ''}`,
    );
  return lines;
}

/** One line: reachable or not, and the last success and failure with its reason. */
export function describeHealth(health: ProviderHealthState): string {
  const reachable = health.reachable === null ? 'not checked yet' : health.reachable ? 'reachable' : 'unreachable';
  const success = health.lastSuccessAt ? `last success ${health.lastSuccessAt}` : 'no success yet';
  const failure =
    health.lastFailureAt && health.lastFailure
      ? `; last failure ${health.lastFailureAt}: ${health.lastFailure.message}`
      : '';
  return `${reachable}; ${success}${failure}`;
}

function formatDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours > 0 ? `${hours}h ${minutes}m` : minutes > 0 ? `${minutes}m ${seconds % 60}s` : `${seconds}s`;
}
