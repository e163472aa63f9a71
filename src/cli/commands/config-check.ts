import type { Config } from '../../config/load-config.js';
import { ConfigError } from '../../errors.js';
import { configuredPluginIssues } from '../../setup/plugin-config-issues.js';
import { ExitCode, type Output } from '../output.js';

/**
 * `agentd config check`: a valid config is summarised (never its secrets); main() reports one the schema
 * refuses. The plugins' own options are checked here as `agentd start` checks them, so that what passes here
 * starts.
 */
export async function configCheckCommand(config: Config, output: Output): Promise<number> {
  const issues = await configuredPluginIssues(config);
  if (issues.length > 0) {
    output.error(new ConfigError(issues, { source: config.source }).message);
    return ExitCode.failure;
  }
  const lines = [
    `config OK (${config.source})`,
    `  server: http://${config.server.host}:${config.server.port}, token ${config.server.token ? 'set in config' : 'generated in dataDir'}`,
    `  dataDir: ${config.dataDir}`,
    '  providers:',
  ];
  for (const [name, provider] of Object.entries(config.providers)) {
    const key = provider.apiKey
      ? 'key set'
      : provider.missingEnv.apiKey
        ? `key missing: set ${provider.missingEnv.apiKey}`
        : 'no key';
    const limits = provider.limits
      ? Object.entries(provider.limits)
          .filter(([k]) => k !== 'models')
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')
      : 'no limits';
    lines.push(
      `    ${name}: ${provider.type}${provider.baseURL ? ` at ${provider.baseURL}` : ''} (${key}; ${limits || 'no limits'})`,
    );
  }
  lines.push(`  models: default ${config.models.default}`);
  for (const [action, model] of Object.entries(config.models.actions)) lines.push(`    ${action}: ${model}`);
  lines.push(
    `  plugins: search ${config.plugins.search.use}, browse ${config.plugins.browse.use}, wiki ${config.plugins.wiki.use}`,
  );
  const budget = [
    config.budget.perRunUsd !== undefined ? `$${config.budget.perRunUsd} per run` : undefined,
    config.budget.totalUsd !== undefined ? `$${config.budget.totalUsd} in total` : undefined,
  ].filter(Boolean);
  lines.push(`  budget: ${budget.length > 0 ? budget.join(', ') : 'none'}; runs: ${config.runs.concurrency} at a time`);
  output.out(lines.join('\n'));
  return ExitCode.ok;
}
