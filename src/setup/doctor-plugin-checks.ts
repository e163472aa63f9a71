import { mkdtempSync, rmSync } from 'node:fs';
import { builtInPlugins } from '../../plugins/index.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/load-config.js';
import { errorMessage } from '../errors.js';
import { silentLogger } from '../logger.js';
import { loadPlugins, type Plugins } from '../plugins/load-plugins.js';
import { fail, offlineCode, ok, skipped, type DoctorCheck } from './doctor-types.js';

/** The public page the browse check fetches: small, stable, and meant for exactly this. */
export const BROWSE_CHECK_URL = 'https://example.com/';

export interface PluginCheckOptions {
  env?: NodeJS.ProcessEnv;
  /** @default BROWSE_CHECK_URL */
  browseURL?: string;
  /** Per check. @default 15000 */
  timeoutMs?: number;
}

/**
 * The search backend answers a query, the wiki answers a lookup, and browse fetches a public page (skipped,
 * not failed, when the network is not there). Plugins are loaded as the daemon loads them, with caches in a
 * temporary folder removed after, so the data dir is not touched.
 */
export async function checkPlugins(config: Config, options: PluginCheckOptions = {}): Promise<DoctorCheck[]> {
  const cache = mkdtempSync(path.join(tmpdir(), 'agentd-doctor-'));
  try {
    let plugins: Plugins;
    try {
      plugins = await loadPlugins(config, {
        logger: silentLogger(),
        cacheDirectory: (name) => path.join(cache, name),
        builtIns: builtInPlugins,
        ...(options.env ? { env: options.env } : {}),
      });
    } catch (error) {
      return [
        fail(
          'plugins',
          errorMessage(error),
          'fix the plugins section of the config (agentd config check shows every problem)',
        ),
      ];
    }
    const signal = () => AbortSignal.timeout(options.timeoutMs ?? 15_000);
    try {
      const search = `search (${config.plugins.search.use})`;
      const wiki = `wiki (${config.plugins.wiki.use})`;
      const browse = `browse (${config.plugins.browse.use})`;
      const browseURL = options.browseURL ?? BROWSE_CHECK_URL;
      const [searchCheck, wikiCheck, browseCheck] = await Promise.all([
        plugins.search.search('Wikipedia', { limit: 3, signal: signal() }).then(
          (results) => ok(search, `answered a query (${results.length} results, at most 3 asked for)`),
          (error: unknown) =>
            fail(
              search,
              errorMessage(error),
              networkFix(error, `check plugins.search (its baseURL, its key) or choose another backend`),
            ),
        ),
        plugins.wiki.lookup('Wikipedia', { language: 'en', signal: signal() }).then(
          (article) =>
            ok(wiki, article ? `answered a lookup ("${article.title}")` : 'answered a lookup (no article matched)'),
          (error: unknown) => fail(wiki, errorMessage(error), networkFix(error, `check plugins.wiki.apiURL`)),
        ),
        plugins.browse.browse(browseURL, { signal: signal() }).then(
          (page) => ok(browse, `fetched ${browseURL} ("${page.title}")`),
          (error: unknown) => {
            const code = offlineCode(error);
            if (code) return skipped(browse, `skipped (offline): ${browseURL} cannot be reached (${code})`);
            return fail(browse, errorMessage(error), `check plugins.browse (timeoutMs, maxBytes, a proxy)`);
          },
        ),
      ]);
      return [searchCheck, wikiCheck, browseCheck];
    } finally {
      await plugins.close();
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

function networkFix(error: unknown, otherwise: string): string {
  const code = offlineCode(error);
  return code ? `the machine seems offline (${code}): connect it, or ${otherwise}` : otherwise;
}
