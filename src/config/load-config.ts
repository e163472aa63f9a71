import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, unknownKeysMessage } from '../errors.js';
import { interpolateEnv } from './interpolate.js';
import { PROVIDER_TYPES } from './provider-types.js';
import { ollamaBaseURL } from './ollama-url.js';
import { ACTION_NAMES, configSchema, describeValue, type ParsedConfig, type ProviderConfig } from './schema.js';

/** The keys allowed where listing them is cheap and a typo likely: named beside an unknown key. */
const VALID_KEYS: Readonly<Record<string, readonly string[]>> = { 'models.actions': ACTION_NAMES };

/** A provider as configured, with the environment variables its unset strings named. */
export type ResolvedProviderConfig = ProviderConfig & {
  /** Key (e.g. "apiKey") -> unset environment variable it referred to; used to explain a failed call. */
  missingEnv: Readonly<Record<string, string>>;
  /** Where the provider came from (the config file, an environment variable, a found Ollama), for the log and `status`. */
  origin: string;
};

/** Providers found in the environment and probed (`src/setup/detect-providers.ts`), for a config without `providers`. */
export interface DetectedDefaults {
  /** As a config file writes them: keys as `"${NAME}"` references. */
  providers: Record<string, ProviderConfig>;
  origins: Record<string, string>;
  /** The first provider that answered, with its cheap capable model. */
  defaultModel: string;
}

/** The validated, defaulted, frozen config the daemon runs with. */
export interface Config extends Omit<ParsedConfig, 'providers' | 'dataDir' | 'models'> {
  dataDir: string;
  providers: Readonly<Record<string, ResolvedProviderConfig>>;
  models: { default: string; actions: Record<string, string> };
  /** Where the config came from: a file path, or "defaults". */
  source: string;
  /** `file`: the config names its providers; `environment`: it does not, so they come from the environment. */
  providersFrom: 'file' | 'environment';
}

export interface LoadConfigOptions {
  /** `--config FILE`. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Providers probed in the environment, used when the config has no `providers` (the daemon's start). */
  detected?: DetectedDefaults | undefined;
}

/** Finds the config file: `--config`, else `$AGENTD_CONFIG`, else `$XDG_CONFIG_HOME/agentd/config.json` when it exists. */
export function findConfigFile(options: LoadConfigOptions): { file: string | undefined; explicit: boolean } {
  const env = options.env ?? process.env;
  // Absolute: the file is named in messages, `agentd status` and `/v1/providers`, read far from the shell that
  // named it (the background daemon), and a relative name says nothing there.
  if (options.file) return { file: path.resolve(expandHome(options.file, env)), explicit: true };
  if (env.AGENTD_CONFIG) return { file: path.resolve(expandHome(env.AGENTD_CONFIG, env)), explicit: true };
  const configHome = env.XDG_CONFIG_HOME || path.join(homeOf(env), '.config');
  return { file: path.join(configHome, 'agentd', 'config.json'), explicit: false };
}

/** Reads, interpolates, validates and freezes the config. Throws a ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const { document, source } = readConfigDocument(options);
  return parseConfig(document, { env: options.env ?? process.env, source, detected: options.detected });
}

/** The config file's JSON, not yet validated, and where it came from ("defaults" without a file). */
export function readConfigDocument(options: LoadConfigOptions = {}): { document: unknown; source: string } {
  const { file, explicit } = findConfigFile(options);
  const text = file ? readOptional(file, explicit) : undefined;
  if (file === undefined || text === undefined) return { document: {}, source: 'defaults' };
  try {
    return { document: JSON.parse(text), source: file };
  } catch (error) {
    throw new ConfigError([{ path: '', message: `not valid JSON (${(error as Error).message})` }], {
      source: file,
      cause: error,
    });
  }
}

/**
 * A document's `plugins` section, interpolated and defaulted, or undefined when the schema refuses it: so that
 * `config check` can check the plugins of a config whose other sections are invalid, and list every problem.
 */
export function parsePluginsSection(
  document: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Config['plugins'] | undefined {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return undefined;
  const { value } = interpolateEnv((document as { plugins?: unknown }).plugins, env);
  const parsed = configSchema.shape.plugins.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Validates an already-parsed JSON document as a config. */
export function parseConfig(
  document: unknown,
  options: { env?: NodeJS.ProcessEnv; source?: string; detected?: DetectedDefaults | undefined } = {},
): Config {
  const env = options.env ?? process.env;
  const source = options.source ?? 'inline';
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError([{ path: '', message: 'expected a JSON object' }], { source });
  }
  const { value, missing } = interpolateEnv(withDetected(document as Record<string, unknown>, options.detected), env);
  const parsed = configSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    // Report the model references too, so one `config check` shows every problem at once.
    const raw = value as { providers?: unknown; models?: { default?: unknown; actions?: unknown } };
    const providerNames =
      raw.providers && typeof raw.providers === 'object'
        ? Object.keys(raw.providers)
        : Object.keys(defaultProviders(env).providers);
    throw new ConfigError([...toIssues(parsed.error, missing), ...modelReferenceIssues(raw.models, providerNames)], {
      source,
    });
  }
  const issues: ConfigIssue[] = [];
  const config = resolve(parsed.data, {
    env,
    missing,
    source,
    issues,
    fromFile: 'providers' in document,
    origins: options.detected?.origins ?? {},
  });
  if (issues.length > 0) throw new ConfigError(issues, { source });
  return deepFreeze(config);
}

/** A config without `providers` takes the detected ones, and their default model unless it names its own. */
function withDetected(
  document: Record<string, unknown>,
  detected: DetectedDefaults | undefined,
): Record<string, unknown> {
  if (!detected || 'providers' in document) return document;
  const models =
    document.models && typeof document.models === 'object' ? (document.models as Record<string, unknown>) : {};
  return {
    ...document,
    providers: detected.providers,
    models: { ...models, default: models.default ?? detected.defaultModel },
  };
}

interface ResolveContext {
  env: NodeJS.ProcessEnv;
  missing: Map<string, string[]>;
  source: string;
  issues: ConfigIssue[];
  /** The document itself named its providers. */
  fromFile: boolean;
  /** Origins of detected providers. */
  origins: Record<string, string>;
}

function resolve(parsed: ParsedConfig, { env, missing, source, issues, fromFile, origins }: ResolveContext): Config {
  const defaults = defaultProviders(env);
  const providers = parsed.providers ?? defaults.providers;
  const resolvedProviders: Record<string, ResolvedProviderConfig> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const missingEnv: Record<string, string> = {};
    for (const [keyPath, names] of missing) {
      const prefix = `providers.${name}.`;
      if (keyPath.startsWith(prefix) && names[0]) missingEnv[keyPath.slice(prefix.length)] = names[0];
    }
    const origin = fromFile
      ? `config file ${source}`
      : (origins[name] ?? (parsed.providers ? 'environment' : defaults.origins[name]) ?? 'built-in default');
    resolvedProviders[name] = { ...provider, missingEnv, origin };
  }

  const defaultModel = parsed.models.default ?? defaultModelFor(resolvedProviders);
  issues.push(
    ...modelReferenceIssues({ default: defaultModel, actions: parsed.models.actions }, Object.keys(resolvedProviders)),
  );

  const dataHome = env.XDG_DATA_HOME || path.join(homeOf(env), '.local', 'share');
  const dataDir = path.resolve(parsed.dataDir ? expandHome(parsed.dataDir, env) : path.join(dataHome, 'agentd'));

  return {
    ...parsed,
    dataDir,
    providers: resolvedProviders,
    models: { default: defaultModel, actions: parsed.models.actions },
    source,
    providersFrom: fromFile ? 'file' : 'environment',
  };
}

/**
 * With no providers configured and nothing probed yet (CLI commands, `config check`): OpenAI and Anthropic when
 * their keys are set, and Ollama at `$OLLAMA_HOST` or its default address. The daemon probes them at start
 * (`src/setup/detect-providers.ts`) and keeps the ones that answer.
 */
function defaultProviders(env: NodeJS.ProcessEnv): {
  providers: Record<string, ProviderConfig>;
  origins: Record<string, string>;
} {
  const providers: Record<string, ProviderConfig> = {};
  const origins: Record<string, string> = {};
  if (env.OPENAI_API_KEY) {
    providers.openai = { type: 'openai', apiKey: env.OPENAI_API_KEY };
    origins.openai = 'environment: OPENAI_API_KEY';
  }
  if (env.ANTHROPIC_API_KEY) {
    providers.anthropic = { type: 'anthropic', apiKey: env.ANTHROPIC_API_KEY };
    origins.anthropic = 'environment: ANTHROPIC_API_KEY';
  }
  const ollamaURL = ollamaBaseURL(env.OLLAMA_HOST);
  providers.ollama = { type: 'ollama', baseURL: ollamaURL };
  origins.ollama = env.OLLAMA_HOST ? `environment: OLLAMA_HOST (${ollamaURL})` : `built-in default (${ollamaURL})`;
  return { providers, origins };
}

function defaultModelFor(providers: Record<string, ResolvedProviderConfig>): string {
  const entries = Object.entries(providers);
  // Prefer a hosted provider whose key is present: it is what a user who set the key expects to be used.
  const preferred =
    entries.find(([, provider]) => !PROVIDER_TYPES[provider.type].local && provider.apiKey) ?? entries[0];
  if (!preferred) return `ollama/${PROVIDER_TYPES.ollama.defaultModel}`;
  const [name, provider] = preferred;
  return `${name}/${PROVIDER_TYPES[provider.type].defaultModel}`;
}

/** Every `provider/model` in `models` must name a configured provider. */
function modelReferenceIssues(
  models: { default?: unknown; actions?: unknown } | undefined,
  providerNames: string[],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (keyPath: string, model: unknown) => {
    if (typeof model !== 'string' || !model.includes('/')) return;
    const providerName = model.split('/', 1)[0] ?? '';
    if (!providerNames.includes(providerName)) {
      issues.push({
        path: keyPath,
        message: `unknown provider "${providerName}" (configured: ${providerNames.join(', ') || 'none'})`,
      });
    }
  };
  check('models.default', models?.default);
  if (models?.actions && typeof models.actions === 'object') {
    for (const [action, model] of Object.entries(models.actions)) check(`models.actions.${action}`, model);
  }
  return issues;
}

function toIssues(error: z.ZodError, missing: Map<string, string[]>): ConfigIssue[] {
  return error.issues.map((issue) => {
    const keyPath = issue.path.map(String).join('.');
    const absent = missing.get(keyPath);
    if (absent) return { path: keyPath, message: `environment variable ${absent.join(', ')} is not set` };
    if (issue.code === 'unrecognized_keys') {
      return { path: keyPath, message: unknownKeysMessage(issue.keys, VALID_KEYS[keyPath]) };
    }
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      return { path: keyPath, message: `expected ${article(issue.expected)}, got ${describeValue(issue.input)}` };
    }
    return { path: keyPath, message: issue.message };
  });
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function readOptional(file: string, explicit: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The XDG location is only a default: its absence means "use built-in defaults". A named file must exist.
    if (code === 'ENOENT' && !explicit) return undefined;
    throw new ConfigError([{ path: '', message: `cannot read ${file} (${code ?? (error as Error).message})` }], {
      cause: error,
    });
  }
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** `~` and `~/x` become the home directory; anything else is returned as is. */
export function expandHome(value: string, env: NodeJS.ProcessEnv = process.env): string {
  if (value === '~') return homeOf(env);
  if (value.startsWith('~/')) return path.join(homeOf(env), value.slice(2));
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
