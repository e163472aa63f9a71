import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/load-config.js';
import { ConfigError, type ConfigIssue, errorMessage } from '../errors.js';
import { silentLogger } from '../logger.js';
import { createPlugin, type LoadPluginOptions } from './load-plugins.js';
import type { PluginKind } from './plugin-types.js';

const KINDS: readonly PluginKind[] = ['search', 'browse', 'wiki'];

/**
 * What `agentd start` would refuse in the plugins section, each problem with its key path: every kind is
 * created exactly as the daemon creates it (built-in or imported module, its own options schema, its keys) and
 * closed again, so that `config check` and `doctor` refuse what start refuses. No search, page or lookup is
 * asked of them, and caches go to a temporary folder removed after. Unlike start, it goes on past the
 * first bad kind, to list every problem at once.
 */
export async function pluginConfigIssues(
  config: Pick<Config, 'plugins' | 'source'>,
  options: Pick<LoadPluginOptions, 'builtIns' | 'env'>,
): Promise<ConfigIssue[]> {
  const cache = mkdtempSync(path.join(tmpdir(), 'agentd-check-'));
  const load: LoadPluginOptions = {
    ...options,
    logger: silentLogger(),
    cacheDirectory: (name) => path.join(cache, name),
  };
  const issues: ConfigIssue[] = [];
  try {
    for (const kind of KINDS) {
      try {
        const plugin = await createPlugin<{ close?: () => Promise<void> }>(kind, config, load);
        await plugin.close?.();
      } catch (error) {
        // A third-party factory may throw a plain Error: still this kind's problem, said where it belongs.
        if (error instanceof ConfigError) issues.push(...error.issues);
        else issues.push({ path: `plugins.${kind}`, message: errorMessage(error) });
      }
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
  return issues;
}
