import { loadConfig, type Config } from '../config/load-config.js';
import { DEFAULT_OLLAMA_URL, ollamaBaseURL } from '../config/ollama-url.js';
import { ConfigError } from '../errors.js';
import { detectedDefaults, detectProviders } from './detect-providers.js';
import { checkPlugins } from './doctor-plugin-checks.js';
import { configuredPluginIssues } from './plugin-config-issues.js';
import { checkProviders } from './doctor-provider-checks.js';
import { checkDataDir, checkPort } from './doctor-system-checks.js';
import { fail, ok, type DoctorCheck } from './doctor-types.js';

export interface DoctorOptions {
  /** `--config FILE`. */
  configFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Replaces the global fetch of the providers (tests). */
  fetch?: typeof fetch;
  /** The public page the browse check fetches. @default $AGENTD_DOCTOR_BROWSE_URL, else https://example.com/ */
  browseURL?: string;
  /** Per network check. */
  timeoutMs?: number;
}

/**
 * `agentd doctor`: the config, the data dir, the port, every provider and model, and the plugins, each one
 * line with the fix for a failure. Needs no daemon and changes nothing; a config without providers is
 * checked with the providers the daemon would find in the environment.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  let config: Config;
  try {
    config = loadConfig({ file: options.configFile, env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A file that cannot be read has no keys to fix: the path is what is wrong (or the file is still to write).
    const unread = error.issues.length === 1 && error.issues[0]?.path === '' && options.configFile !== undefined;
    const fix = unread
      ? `check the path, or write a config there with agentd init --config ${options.configFile}`
      : 'fix the keys named above (agentd config check lists them), or write a fresh config with agentd init';
    return [fail('config', error.message, fix)];
  }
  const checks: DoctorCheck[] = [];
  let providersFound = true;
  if (config.providersFrom === 'environment') {
    const defaults = detectedDefaults(
      await detectProviders(env, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    );
    if (defaults) config = loadConfig({ file: options.configFile, env, detected: defaults });
    providersFound = defaults !== undefined;
  }
  // As `agentd start` and `config check` do: each plugin's own options too, so that "valid" means it starts.
  const pluginIssues = await configuredPluginIssues(config, env);
  checks.push(
    pluginIssues.length > 0
      ? fail(
          'config',
          new ConfigError(pluginIssues, { source: config.source }).message,
          'fix the keys named above (agentd config check lists them)',
        )
      : ok(
          'config',
          config.source === 'defaults'
            ? 'no config file: built-in defaults, providers from the environment (agentd init writes one)'
            : `${config.source} is valid`,
        ),
  );
  checks.push(checkDataDir(config), await checkPort(config));
  if (providersFound) {
    checks.push(...(await checkProviders(config, options)));
  } else {
    const ollama = env.OLLAMA_HOST ? ollamaBaseURL(env.OLLAMA_HOST) : DEFAULT_OLLAMA_URL;
    checks.push(
      fail(
        'providers',
        `none found: OPENAI_API_KEY and ANTHROPIC_API_KEY are unset and no Ollama answers at ${ollama}`,
        'export OPENAI_API_KEY=... or ANTHROPIC_API_KEY=..., or start Ollama and pull a model (ollama pull llama3.2); then run agentd init',
      ),
    );
  }
  // Plugins whose options are refused cannot be loaded to be tried: the config line above says why.
  if (pluginIssues.length > 0) return checks;
  const browseURL = options.browseURL ?? env.AGENTD_DOCTOR_BROWSE_URL;
  checks.push(
    ...(await checkPlugins(config, {
      env,
      ...(browseURL ? { browseURL } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })),
  );
  return checks;
}
