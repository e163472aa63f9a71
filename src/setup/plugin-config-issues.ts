import { builtInPlugins } from '../../plugins/index.js';
import type { Config } from '../config/load-config.js';
import type { ConfigIssue } from '../errors.js';
import { pluginConfigIssues } from '../plugins/check-plugins.js';

/**
 * What `agentd start` would refuse in the config's plugins section, with the built-in plugins the daemon
 * loads: for `config check` and `doctor` (here, in the composition root, which alone imports plugins/).
 */
export function configuredPluginIssues(
  config: Pick<Config, 'plugins' | 'source'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigIssue[]> {
  return pluginConfigIssues(config, { builtIns: builtInPlugins, env });
}
