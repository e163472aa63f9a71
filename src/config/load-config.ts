import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { interpolateEnv } from './interpolate.js';
import { configSchema, describeValue, type ParsedConfig, type ProviderConfig } from './schema.js';

/** A provider as configured, with the environment variables its unset strings named. */
export type ResolvedProviderConfig = ProviderConfig & {
  /** Key (e.g. "apiKey") -> unset environment variable it referred to; used to explain a failed call. */
  missingEnv: Readonly<Record<string, string>>;
};

/** The validated, defaulted, frozen config the daemon runs with. */
export interface Config extends Omit<ParsedConfig, 'providers' | 'dataDir' | 'models'> {
  dataDir: string;
  providers: Readonly<Record<string, ResolvedProviderConfig>>;
  models: { default: string; actions: Record<string, string> };
  /** Where the config came from: a file path, or "defaults". */
  source: string;
}

export interface LoadConfigOptions {
  /** `--config FILE`. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Finds the config file: `--config`, else `$AGENTD_CONFIG`, else `$XDG_CONFIG_HOME/agentd/config.json` when it exists. */
export function findConfigFile(options: LoadConfigOptions): { file: string | undefined; explicit: boolean } {
  const env = options.env ?? process.env;
  if (options.file) return { file: expandHome(options.file, env), explicit: true };
  if (env.AGENTD_CONFIG) return { file: expandHome(env.AGENTD_CONFIG, env), explicit: true };
  const configHome = env.XDG_CONFIG_HOME || path.join(homeOf(env), '.config');
  return { file: path.join(configHome, 'agentd', 'config.json'), explicit: false };
}

/** Reads, interpolates, validates and freezes the config. Throws a ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const { file, explicit } = findConfigFile(options);
  let document: unknown = {};
  let source = 'defaults';
  if (file) {
    const text = readOptional(file, explicit);
    if (text !== undefined) {
      source = file;
      try {
        document = JSON.parse(text);
      } catch (error) {
        throw new ConfigError([{ path: '', message: `not valid JSON (${(error as Error).message})` }], { source, cause: error });
      }
    }
  }
  return parseConfig(document, { env, source });
}

/** Validates an already-parsed JSON document as a config. */
export function parseConfig(document: unknown, options: { env?: NodeJS.ProcessEnv; source?: string } = {}): Config {
  const env = options.env ?? process.env;
  const source = options.source ?? 'inline';
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError([{ path: '', message: 'expected a JSON object' }], { source });
  }
  const { value, missing } = interpolateEnv(document, env);
  const parsed = configSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    // Report the model references too, so one `config check` shows every problem at once.
    const raw = value as { providers?: unknown; models?: { default?: unknown; actions?: unknown } };
    const providerNames = raw.providers && typeof raw.providers === 'object' ? Object.keys(raw.providers) : Object.keys(defaultProviders(env));
    throw new ConfigError([...toIssues(parsed.error, missing), ...modelReferenceIssues(raw.models, providerNames)], { source });
  }
  const issues: ConfigIssue[] = [];
  const config = resolve(parsed.data, env, missing, source, issues);
  if (issues.length > 0) throw new ConfigError(issues, { source });
  return deepFreeze(config);
}

function resolve(parsed: ParsedConfig, env: NodeJS.ProcessEnv, missing: Map<string, string[]>, source: string, issues: ConfigIssue[]): Config {
  const providers = parsed.providers ?? defaultProviders(env);
  const resolvedProviders: Record<string, ResolvedProviderConfig> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const missingEnv: Record<string, string> = {};
    for (const [keyPath, names] of missing) {
      const prefix = `providers.${name}.`;
      if (keyPath.startsWith(prefix) && names[0]) missingEnv[keyPath.slice(prefix.length)] = names[0];
    }
    resolvedProviders[name] = { ...provider, missingEnv };
  }

  const defaultModel = parsed.models.default ?? defaultModelFor(resolvedProviders);
  issues.push(...modelReferenceIssues({ default: defaultModel, actions: parsed.models.actions }, Object.keys(resolvedProviders)));

  const dataHome = env.XDG_DATA_HOME || path.join(homeOf(env), '.local', 'share');
  const dataDir = path.resolve(parsed.dataDir ? expandHome(parsed.dataDir, env) : path.join(dataHome, 'agentd'));

  return {
    ...parsed,
    dataDir,
    providers: resolvedProviders,
    models: { default: defaultModel, actions: parsed.models.actions },
    source,
  };
}

/** With no providers configured: Ollama on its default port, plus OpenAI and Anthropic when their keys are set. */
function defaultProviders(env: NodeJS.ProcessEnv): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = {};
  if (env.OPENAI_API_KEY) providers.openai = { type: 'openai', apiKey: env.OPENAI_API_KEY };
  if (env.ANTHROPIC_API_KEY) providers.anthropic = { type: 'anthropic', apiKey: env.ANTHROPIC_API_KEY };
  providers.ollama = { type: 'ollama', baseURL: env.OLLAMA_HOST || 'http://127.0.0.1:11434' };
  return providers;
}

const DEFAULT_MODELS: Record<ProviderConfig['type'], string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  ollama: 'llama3.1',
};

function defaultModelFor(providers: Record<string, ResolvedProviderConfig>): string {
  const entries = Object.entries(providers);
  // Prefer a hosted provider whose key is present: it is what a user who set the key expects to be used.
  const preferred = entries.find(([, provider]) => provider.type !== 'ollama' && provider.apiKey) ?? entries[0];
  if (!preferred) return 'ollama/llama3.1';
  const [name, provider] = preferred;
  return `${name}/${DEFAULT_MODELS[provider.type]}`;
}

/** Every `provider/model` in `models` must name a configured provider. */
function modelReferenceIssues(models: { default?: unknown; actions?: unknown } | undefined, providerNames: string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (keyPath: string, model: unknown) => {
    if (typeof model !== 'string' || !model.includes('/')) return;
    const providerName = model.split('/', 1)[0] ?? '';
    if (!providerNames.includes(providerName)) {
      issues.push({ path: keyPath, message: `unknown provider "${providerName}" (configured: ${providerNames.join(', ') || 'none'})` });
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
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      return { path: keyPath, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}` };
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
    throw new ConfigError([{ path: '', message: `cannot read ${file} (${code ?? (error as Error).message})` }], { cause: error });
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
