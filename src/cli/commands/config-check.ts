import type { Config } from '../../config/load-config.js';
import { ExitCode, type Output } from '../output.js';

/** `agentd config check`: a valid config is summarised (never its secrets); main() reports an invalid one. */
export function configCheckCommand(config: Config, output: Output): number {
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
