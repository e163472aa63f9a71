import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig, parseConfig } from '../src/config/load-config.js';
import { ConfigError } from '../src/errors.js';
import { makeTempDir } from './helpers/temp-dir.js';

const temps: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of temps.splice(0)) cleanup();
});

function issuesOf(document: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(document, { env: { HOME: '/home/u', ...env } });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be invalid');
}

describe('config', () => {
  it('fills every default from an empty document', () => {
    const config = parseConfig({}, { env: { HOME: '/home/u' } });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 7411 });
    expect(config.dataDir).toBe('/home/u/.local/share/agentd');
    expect(Object.keys(config.providers)).toEqual(['ollama']);
    expect(config.providers.ollama?.baseURL).toBe('http://127.0.0.1:11434');
    expect(config.models.default).toBe('ollama/llama3.1');
    expect(config.plugins.search.use).toBe('duckduckgo');
    expect(config.runs.concurrency).toBe(4);
  });

  it('adds OpenAI and Anthropic by default when their keys are set, and prefers a hosted model', () => {
    const config = parseConfig(
      {},
      { env: { HOME: '/h', OPENAI_API_KEY: 'sk-test-123456789', ANTHROPIC_API_KEY: 'ak-test-123456789' } },
    );
    expect(Object.keys(config.providers).sort()).toEqual(['anthropic', 'ollama', 'openai']);
    expect(config.models.default).toBe('openai/gpt-4o-mini');
  });

  it('uses XDG_DATA_HOME for the data dir and expands ~ in dataDir', () => {
    expect(parseConfig({}, { env: { HOME: '/h', XDG_DATA_HOME: '/xdg' } }).dataDir).toBe('/xdg/agentd');
    expect(parseConfig({ dataDir: '~/agentd-data' }, { env: { HOME: '/h' } }).dataDir).toBe('/h/agentd-data');
  });

  it('interpolates ${NAME} from the environment in any string', () => {
    const config = parseConfig(
      {
        providers: { vllm: { type: 'openai', baseURL: 'http://${VLLM_HOST}:8000/v1', apiKey: '${VLLM_KEY}' } },
        models: { default: 'vllm/qwen' },
      },
      { env: { VLLM_HOST: '10.0.0.5', VLLM_KEY: 'secret-key-value' } },
    );
    expect(config.providers.vllm?.baseURL).toBe('http://10.0.0.5:8000/v1');
    expect(config.providers.vllm?.apiKey).toBe('secret-key-value');
  });

  it('accepts a provider whose key variable is unset and remembers which variable it needs', () => {
    const config = parseConfig({ providers: { openai: { type: 'openai', apiKey: '${OPENAI_API_KEY}' } } }, { env: {} });
    expect(config.providers.openai?.apiKey).toBeUndefined();
    expect(config.providers.openai?.missingEnv).toEqual({ apiKey: 'OPENAI_API_KEY' });
  });

  it('names the unset variable when a required key depended on it', () => {
    expect(issuesOf({ plugins: { search: { use: '${SEARCH_PLUGIN}' } } })).toEqual([
      'plugins.search.use: environment variable SEARCH_PLUGIN is not set',
    ]);
  });

  it('reports every problem at once, each with its key path', () => {
    const issues = issuesOf({
      server: { port: 'abc', host: 5 },
      providers: { x: { type: 'foo' }, y: { type: 'openai', limits: { tpm: -5 } } },
      models: { default: 'nope/model', actions: { ConductResearch: 'plain' } },
      budget: { perRunUsd: 'lots' },
      extra: true,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'server.port: expected a number from 1 to 65535, got "abc"',
        'server.host: expected a string, got 5',
        'providers.x.type: expected "type" to be one of "openai", "anthropic", "ollama", got "foo"',
        'providers.y.limits.tpm: expected a positive whole number of tokens per minute',
        'models.actions.ConductResearch: expected "provider/model", e.g. "openai/gpt-4o-mini"',
        'budget.perRunUsd: expected a number of US dollars, got "lots"',
        ': unknown key "extra"',
        'models.default: unknown provider "nope" (configured: x, y)',
      ]),
    );
    expect(issues).toHaveLength(8);
  });

  it('rejects a port out of range and a model of an unknown provider', () => {
    expect(issuesOf({ server: { port: 70000 } })).toEqual(['server.port: expected a number from 1 to 65535']);
    expect(issuesOf({ models: { default: 'openai/gpt-4o' } })).toEqual([
      'models.default: unknown provider "openai" (configured: ollama)',
    ]);
  });

  it('takes a price for cached prompt tokens beside the input and output prices, and names a bad one', () => {
    const pricing = { 'ollama/qwen': { input: 1, output: 2, cachedInput: 0.25 } };
    expect(parseConfig({ pricing }, { env: {} }).pricing).toEqual(pricing);
    expect(issuesOf({ pricing: { 'ollama/qwen': { input: 1, output: 2, cachedInput: 'half' } } })).toEqual([
      'pricing.ollama/qwen.cachedInput: expected USD per million prompt tokens read from the provider\'s prompt cache, got "half"',
    ]);
  });

  it('takes browse and wiki options without `use` as the built-in plugin, and asks search options which plugin', () => {
    const plugins = parseConfig(
      { plugins: { browse: { allowHosts: ['127.0.0.1:8080'] }, wiki: { apiURL: 'http://127.0.0.1:9/w/api.php' } } },
      { env: {} },
    ).plugins;
    expect(plugins).toEqual({
      search: { use: 'duckduckgo' },
      browse: { use: 'http', allowHosts: ['127.0.0.1:8080'] },
      wiki: { use: 'mediawiki', apiURL: 'http://127.0.0.1:9/w/api.php' },
    });
    // duckduckgo takes a baseURL too: these options may be for searxng, and taking them for it would mislead.
    expect(issuesOf({ plugins: { search: { baseURL: 'http://127.0.0.1:8888' } } })).toEqual([
      'plugins.search.use: expected the name of the search plugin these options are for, e.g. "searxng" or "duckduckgo"',
    ]);
  });

  it('refuses an action name in models.actions that no action has, naming the valid ones', () => {
    expect(issuesOf({ models: { actions: { ConductReserch: 'ollama/x', ConductResearch: 'ollama/y' } } })).toEqual([
      'models.actions: unknown key "ConductReserch" (expected one of KeywordExtract, WikiSearchAndSummarize, CollectLinks, WebBrowseAndSummarize, ConductResearch)',
    ]);
    expect(parseConfig({ models: { actions: { CollectLinks: 'ollama/x' } } }, { env: {} }).models.actions).toEqual({
      CollectLinks: 'ollama/x',
    });
  });

  it('is frozen once parsed', () => {
    const config = parseConfig({}, { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('finds the config in --config, then $AGENTD_CONFIG, then $XDG_CONFIG_HOME', () => {
    expect(findConfigFile({ file: '/a.json', env: { AGENTD_CONFIG: '/b.json' } })).toEqual({
      file: '/a.json',
      explicit: true,
    });
    expect(findConfigFile({ env: { AGENTD_CONFIG: '/b.json' } })).toEqual({ file: '/b.json', explicit: true });
    expect(findConfigFile({ env: { XDG_CONFIG_HOME: '/x', HOME: '/h' } })).toEqual({
      file: '/x/agentd/config.json',
      explicit: false,
    });
    expect(findConfigFile({ env: { HOME: '/h' } })).toEqual({ file: '/h/.config/agentd/config.json', explicit: false });
    // A relative name is the working directory's file, named in full wherever it is shown.
    expect(findConfigFile({ file: 'agentd.json', env: {} }).file).toBe(path.join(process.cwd(), 'agentd.json'));
  });

  it('falls back to defaults when the XDG file is absent, but requires a named file to exist', () => {
    const temp = makeTempDir();
    temps.push(temp.cleanup);
    expect(loadConfig({ env: { HOME: temp.dir } }).source).toBe('defaults');
    expect(() => loadConfig({ file: path.join(temp.dir, 'missing.json'), env: {} })).toThrow(
      /cannot read .*missing\.json \(ENOENT\)/,
    );
  });

  it('reports a file that is not JSON', () => {
    const temp = makeTempDir();
    temps.push(temp.cleanup);
    const file = path.join(temp.dir, 'bad.json');
    writeFileSync(file, '{ "server": ');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
  });

  it('accepts config.example.json, which shows every key', () => {
    const config = loadConfig({
      file: new URL('../config.example.json', import.meta.url).pathname,
      env: { HOME: '/h' },
    });
    expect(Object.keys(config.providers)).toEqual(['openai', 'claude', 'local', 'vllm']);
    expect(config.models.actions.ConductResearch).toBe('claude/claude-sonnet-4-5');
    expect(config.budget).toEqual({ perRunUsd: 1, totalUsd: 10 });
  });
});
