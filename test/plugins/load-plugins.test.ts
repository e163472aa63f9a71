import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { loadPlugins } from '../../src/plugins/load-plugins.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(plugins: Record<string, unknown>) {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  const config = parseConfig({ dataDir: temp.dir, plugins }, { env: {}, source: path.join(temp.dir, 'config.json') });
  return {
    temp,
    config,
    options: { logger: silentLogger(), cacheDirectory: (name: string) => path.join(temp.dir, name) },
  };
}

describe('loading plugins', () => {
  it('loads a third-party search plugin from a module path relative to the config file, with its options', async () => {
    const { temp, config, options } = setup({ search: { use: './my-search.mjs', prefix: 'custom' } });
    writeFileSync(
      path.join(temp.dir, 'my-search.mjs'),
      `export default (options) => ({ name: 'mine', async search(query) { return [{ url: 'https://example.org/' + query, title: options.prefix + ':' + query, snippet: '' }]; } });\n`,
    );
    const plugins = await loadPlugins(config, options);
    expect(await plugins.search.search('x')).toEqual([
      { url: 'https://example.org/x', title: 'custom:x', snippet: '' },
    ]);
    await plugins.close();
  });

  it('names the key path when use is neither a built-in nor a module', async () => {
    const { config, options } = setup({ search: { use: 'no-such-plugin-anywhere' } });
    const error = await loadPlugins(config, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /plugins\.search\.use: "no-such-plugin-anywhere" is neither a built-in search plugin \(duckduckgo, searxng, brave, serper, google, bing, tavily\)/,
    );
  });

  it('refuses a module that does not build a plugin of its kind', async () => {
    const { temp, config, options } = setup({ wiki: { use: './not-a-wiki.mjs' } });
    writeFileSync(path.join(temp.dir, 'not-a-wiki.mjs'), `export default () => ({ name: 'oops' });\n`);
    await expect(loadPlugins(config, options)).rejects.toThrow(
      /plugins\.wiki\.use: "\.\/not-a-wiki\.mjs" did not return a wiki plugin \(no lookup\(\) method\)/,
    );
  });

  it("fails at load on a built-in plugin's bad options", async () => {
    const { config, options } = setup({ browse: { use: 'http', maxBytes: -1 } });
    await expect(loadPlugins(config, options)).rejects.toThrow(/plugins\.browse\.maxBytes/);
  });
});
