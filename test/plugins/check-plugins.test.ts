import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInPlugins } from '../../plugins/index.js';
import { parseConfig } from '../../src/config/load-config.js';
import { pluginConfigIssues } from '../../src/plugins/check-plugins.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The plugin problems of a config with these plugins, as `key.path: message` lines. */
async function issuesOf(plugins: Record<string, unknown>, files: Record<string, string> = {}): Promise<string[]> {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(temp.dir, name), text);
  const config = parseConfig({ dataDir: temp.dir, plugins }, { env: {}, source: path.join(temp.dir, 'config.json') });
  const issues = await pluginConfigIssues(config, { builtIns: builtInPlugins, env: {} });
  return issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("checking the plugins' options as start does", () => {
  it('finds nothing wrong with the defaults', async () => {
    expect(await issuesOf({})).toEqual([]);
  });

  it('lists every kind’s problem at once: a missing required option, an unknown plugin, a typo’d option', async () => {
    const issues = await issuesOf({
      search: { use: 'searxng' },
      wiki: { use: 'nosuchplugin' },
      browse: { use: 'http', maxBytes: 1000, regoin: 'x' },
    });
    expect(issues).toHaveLength(3);
    expect(issues[0]).toBe('plugins.search.baseURL: expected the URL of a SearXNG instance');
    expect(issues[1]).toBe(
      'plugins.browse: unknown key "regoin" (expected one of use, timeoutMs, maxBytes, allowHosts, maxRedirects, workers, workerIdleMs, userAgent)',
    );
    expect(issues[2]).toMatch(
      /^plugins\.wiki\.use: "nosuchplugin" is neither a built-in wiki plugin \(mediawiki\) nor a module that can be imported/,
    );
  });

  it('refuses an unknown option of a built-in search plugin, naming the valid ones', async () => {
    expect(await issuesOf({ search: { use: 'duckduckgo', regoin: 'x' } })).toEqual([
      'plugins.search: unknown key "regoin" (expected one of use, baseURL, region, timeoutMs)',
    ]);
  });

  it('refuses an allowHosts entry the browse guard could never match, and takes hosts with or without a port', async () => {
    expect(
      await issuesOf({
        browse: { allowHosts: ['127.0.0.1:99999', 'http://intranet/', 'localhost:8080', '[::1]:3000'] },
      }),
    ).toEqual([
      'plugins.browse.allowHosts.0: expected a host or host:port, e.g. "127.0.0.1:8080", got "127.0.0.1:99999"',
      'plugins.browse.allowHosts.1: expected a host or host:port, e.g. "127.0.0.1:8080", got "http://intranet/"',
    ]);
  });

  it('says that a keyed backend needs its key, as start would', async () => {
    expect(await issuesOf({ search: { use: 'brave' } })).toEqual([
      'plugins.search.apiKey: the brave plugin needs an API key: set the environment variable BRAVE_API_KEY or plugins.search.apiKey',
    ]);
  });

  it("leaves a third-party plugin's options to the plugin: any it accepts pass, what it throws is reported", async () => {
    const files = {
      'loose.mjs': `export default (options) => ({ name: 'loose', async search() { return [options.anything]; } });\n`,
      'picky.mjs': `export default () => { throw new Error('picky needs a "mode"'); };\n`,
    };
    expect(await issuesOf({ search: { use: './loose.mjs', anything: 1, regoin: 'x' } }, files)).toEqual([]);
    expect(await issuesOf({ search: { use: './picky.mjs' } }, files)).toEqual(['plugins.search: picky needs a "mode"']);
  });
});
