import { type Config, parseConfig, parsePluginsSection, readConfigDocument } from '../../config/load-config.js';
import { ConfigError, type ConfigIssue } from '../../errors.js';
import { hasBuiltInPricing } from '../../config/provider-types.js';
import { PriceList } from '../../gateway/pricing.js';
import { configuredPluginIssues } from '../../setup/plugin-config-issues.js';
import { ExitCode, type Output } from '../output.js';

/**
 * `agentd config check`: every problem `agentd start` would refuse the config for, with its key path (the
 * schema's, and each plugin's own options, checked as start checks them, even when other sections are
 * invalid); a valid config is summarised, never with its secrets.
 */
export async function configCheckCommand(
  options: { configFile: string | undefined; env?: NodeJS.ProcessEnv },
  output: Output,
): Promise<number> {
  const env = options.env ?? process.env;
  let config: Config | undefined;
  const issues: ConfigIssue[] = [];
  let source = options.configFile ?? 'defaults';
  try {
    const read = readConfigDocument({ file: options.configFile, env });
    source = read.source;
    try {
      config = parseConfig(read.document, { env, source });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
    const plugins = config?.plugins ?? parsePluginsSection(read.document, env);
    if (plugins) issues.push(...(await configuredPluginIssues({ plugins, source }, env)));
  } catch (error) {
    // An unreadable file or one that is not JSON: nothing more can be checked.
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (!config || issues.length > 0) {
    output.error(new ConfigError(issues, { source }).message);
    return ExitCode.failure;
  }
  return summarise(config, output);
}

/**
 * Said of a model without a known price: its calls count $0, so no budget stops them (an OpenAI-compatible
 * service at its own baseURL has no built-in price). Nothing for a priced or local model.
 */
function priceNote(config: Config, prices: PriceList, model: string): string {
  const slash = model.indexOf('/');
  const name = model.slice(0, slash);
  const provider = config.providers[name];
  if (!provider) return '';
  const builtInPricing = hasBuiltInPricing(provider.type, provider.baseURL);
  const lookup = prices.lookup({ name, type: provider.type, builtInPricing }, model.slice(slash + 1));
  return lookup.kind === 'unknown'
    ? ` (no known price: its calls count $0 and no budget limits them; set pricing["${model}"])`
    : '';
}

function summarise(config: Config, output: Output): number {
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
  const prices = new PriceList(config.pricing);
  const priced = (model: string) => `${model}${priceNote(config, prices, model)}`;
  lines.push(`  models: default ${priced(config.models.default)}`);
  for (const [action, model] of Object.entries(config.models.actions)) lines.push(`    ${action}: ${priced(model)}`);
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
