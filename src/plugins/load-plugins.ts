import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { registerSecrets } from '../secrets.js';
import { cachedBrowse, cachedSearch, cachedWiki } from './plugin-cache.js';
import type {
  BrowsePlugin,
  PluginContext,
  PluginFactories,
  PluginFactory,
  PluginKind,
  SearchPlugin,
  WikiPlugin,
} from './plugin-types.js';

export interface Plugins {
  search: SearchPlugin;
  browse: BrowsePlugin;
  wiki: WikiPlugin;
  close(): Promise<void>;
}

/** Option names that hold credentials. */
const SECRET_OPTION = /key|token|secret|password|credential/i;

/** The method each kind must have, to check third-party modules at load time. */
const REQUIRED_METHOD: Record<PluginKind, string> = { search: 'search', browse: 'browse', wiki: 'lookup' };

/** What loading a plugin needs besides the config. */
export interface LoadPluginOptions {
  logger: Logger;
  cacheDirectory: (name: string) => string;
  builtIns: Readonly<PluginFactories>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads the configured plugins. `use` names one of `options.builtIns` (the daemon passes `plugins/index.ts`'s),
 * or a module path (relative to the config file) or package name whose default export is a PluginFactory.
 * Bad options fail here, with their key path.
 */
export async function loadPlugins(config: Config, options: LoadPluginOptions): Promise<Plugins> {
  const rawSearch = await createPlugin<SearchPlugin>('search', config, options);
  const rawBrowse = await createPlugin<BrowsePlugin>('browse', config, options);
  const rawWiki = await createPlugin<WikiPlugin>('wiki', config, options);
  const ttlMs = config.cache.pageTtlSeconds * 1000;
  if (ttlMs <= 0)
    return { search: rawSearch, browse: rawBrowse, wiki: rawWiki, close: async () => rawBrowse.close?.() };
  return {
    search: cachedSearch(rawSearch, options.cacheDirectory('search'), ttlMs, options.logger),
    browse: cachedBrowse(rawBrowse, options.cacheDirectory('pages'), ttlMs, options.logger),
    wiki: cachedWiki(rawWiki, options.cacheDirectory('wiki'), ttlMs, options.logger),
    close: async () => rawBrowse.close?.(),
  };
}

/** Creates the plugin of one kind as configured, uncached: what `loadPlugins` does for each kind. */
export async function createPlugin<T>(
  kind: PluginKind,
  config: Pick<Config, 'plugins' | 'source'>,
  options: LoadPluginOptions,
): Promise<T> {
  const pluginOptions = config.plugins[kind] as Record<string, unknown> & { use: string };
  // Third-party plugins too: any option named like a credential is kept out of logs and errors.
  for (const [name, value] of Object.entries(pluginOptions))
    if (typeof value === 'string' && SECRET_OPTION.test(name)) registerSecrets(value);
  const builtIns = options.builtIns[kind] as Readonly<Record<string, PluginFactory<T>>>;
  // Own properties only: `use: "constructor"` must not pick Object's constructor as a plugin factory.
  const factory = Object.hasOwn(builtIns, pluginOptions.use)
    ? (builtIns[pluginOptions.use] as PluginFactory<T>)
    : await importFactory<T>(kind, pluginOptions.use, config.source, Object.keys(builtIns));
  const context: PluginContext = {
    logger: options.logger.child({ plugin: `${kind}:${pluginOptions.use}` }),
    cacheDirectory: options.cacheDirectory(`plugin-${kind}`),
    env: options.env ?? process.env,
  };
  const plugin = await factory(pluginOptions, context);
  const method = REQUIRED_METHOD[kind];
  if (typeof (plugin as Record<string, unknown> | undefined)?.[method] !== 'function') {
    throw new ConfigError([
      {
        path: `plugins.${kind}.use`,
        message: `"${pluginOptions.use}" did not return a ${kind} plugin (no ${method}() method)`,
      },
    ]);
  }
  return plugin;
}

async function importFactory<T>(
  kind: PluginKind,
  use: string,
  configSource: string,
  builtInNames: readonly string[],
): Promise<PluginFactory<T>> {
  const isPath = use.startsWith('.') || path.isAbsolute(use);
  const base = configSource !== 'defaults' && configSource !== 'inline' ? path.dirname(configSource) : process.cwd();
  const specifier = isPath ? pathToFileURL(path.resolve(base, use)).href : use;
  let module: { default?: unknown };
  try {
    module = (await import(specifier)) as { default?: unknown };
  } catch (error) {
    const builtIns = builtInNames.join(', ');
    throw new ConfigError(
      [
        {
          path: `plugins.${kind}.use`,
          message: `"${use}" is neither a built-in ${kind} plugin (${builtIns}) nor a module that can be imported (${(error as Error).message})`,
        },
      ],
      { cause: error },
    );
  }
  if (typeof module.default !== 'function') {
    throw new ConfigError([
      { path: `plugins.${kind}.use`, message: `module "${use}" has no default export that creates a ${kind} plugin` },
    ]);
  }
  return module.default as PluginFactory<T>;
}
