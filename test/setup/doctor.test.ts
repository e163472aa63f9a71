import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../src/cli/commands/doctor.js';
import { runDoctor } from '../../src/setup/doctor.js';
import type { DoctorCheck } from '../../src/setup/doctor-types.js';
import { runCli } from '../helpers/cli.js';
import {
  anthropicListing,
  deadURL,
  ollamaListing,
  openAIListing,
  openAIWithoutListing,
  smallWeb,
} from '../helpers/provider-listings.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startWireServer, type WireServer } from '../helpers/wire-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(server: Promise<WireServer>): Promise<WireServer> {
  const started = await server;
  cleanups.push(() => started.close());
  return started;
}

/** Writes a config in a fresh folder (data dir beside it, port 0) and returns its path. */
function configFile(document: Record<string, unknown>): string {
  const temp = makeTempDir('agentd-doctor-test-');
  cleanups.push(temp.cleanup);
  const file = path.join(temp.dir, 'config.json');
  writeFileSync(file, JSON.stringify({ server: { port: 0 }, dataDir: path.join(temp.dir, 'data'), ...document }));
  return file;
}

async function webPlugins() {
  const web = await serve(smallWeb());
  return {
    plugins: {
      search: { use: 'searxng', baseURL: web.url },
      wiki: { use: 'mediawiki', apiURL: `${web.url}/w/api.php` },
      browse: { use: 'http', allowHosts: [`127.0.0.1:${web.port}`] },
    },
    browseURL: `${web.url}/page`,
  };
}

const byName = (checks: DoctorCheck[], name: string) => checks.find((check) => check.name === name);
const env = { OPENAI_KEY_TEST: 'sk-good', ANTHROPIC_KEY_TEST: 'sk-ant-good' };

describe('agentd doctor', () => {
  it('passes every check when each provider answers with its models and the plugins answer', async () => {
    const openai = await serve(openAIListing(['gpt-4o-mini', 'text-embedding-3-small']));
    const anthropic = await serve(anthropicListing(['claude-haiku-4-5']));
    const ollama = await serve(ollamaListing(['llama3.2:latest']));
    const web = await webPlugins();
    const file = configFile({
      providers: {
        openai: { type: 'openai', apiKey: '${OPENAI_KEY_TEST}', baseURL: `${openai.url}/v1` },
        claude: { type: 'anthropic', apiKey: '${ANTHROPIC_KEY_TEST}', baseURL: anthropic.url },
        local: { type: 'ollama', baseURL: ollama.url },
      },
      models: {
        default: 'openai/gpt-4o-mini',
        actions: { ConductResearch: 'claude/claude-haiku-4-5', KeywordExtract: 'local/llama3.2' },
      },
      plugins: web.plugins,
    });
    const checks = await runDoctor({ configFile: file, env, browseURL: web.browseURL });
    expect(
      checks.filter((check) => check.status !== 'ok'),
      JSON.stringify(checks, null, 2),
    ).toEqual([]);
    expect(checks.map((check) => check.name)).toEqual([
      'config',
      'data dir',
      'port',
      'provider openai',
      'model openai/gpt-4o-mini',
      'provider claude',
      'model claude/claude-haiku-4-5',
      'provider local',
      'model local/llama3.2',
      'search (searxng)',
      'wiki (mediawiki)',
      'browse (http)',
    ]);
    const detail = (name: string) => checks.find((check) => check.name === name)?.detail;
    expect(detail('provider openai')).toContain(': reachable, key accepted, 2 models listed');
    // Ollama takes no key: none is said to be accepted.
    expect(detail('provider local')).toMatch(/^ollama at http:\/\/127\.0\.0\.1:\d+: reachable, 1 models listed/);
    // Listings only: no provider was asked to generate anything.
    for (const server of [openai, anthropic, ollama])
      expect(server.requests.every((request) => request.method === 'GET')).toBe(true);
  });

  it('fails a refused key, a provider that is down and a model not pulled, each with its fix', async () => {
    const openai = await serve(openAIListing(['gpt-4o-mini']));
    const ollama = await serve(ollamaListing(['llama3.2:latest']));
    const down = await deadURL();
    const web = await webPlugins();
    const file = configFile({
      providers: {
        openai: { type: 'openai', apiKey: '${BAD_KEY_TEST}', baseURL: `${openai.url}/v1` },
        claude: { type: 'anthropic', apiKey: 'sk-ant-good', baseURL: down },
        local: { type: 'ollama', baseURL: ollama.url },
      },
      models: { default: 'local/qwen2.5:7b' },
      plugins: web.plugins,
    });
    const checks = await runDoctor({
      configFile: file,
      env: { BAD_KEY_TEST: 'sk-bad' },
      browseURL: web.browseURL,
      timeoutMs: 3_000,
    });
    expect(byName(checks, 'provider openai')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('key refused') as string,
      fix: 'set a valid key in providers.openai.apiKey',
    });
    expect(byName(checks, 'provider claude')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('unreachable') as string,
    });
    expect(byName(checks, 'provider local')?.status).toBe('ok');
    expect(byName(checks, 'model local/qwen2.5:7b')).toMatchObject({ status: 'fail', fix: 'ollama pull qwen2.5:7b' });
    // The key itself never appears in what doctor prints.
    expect(JSON.stringify(checks)).not.toContain('sk-bad');
  });

  it.each([404, 405] as const)(
    'passes an OpenAI-compatible server whose model listing answers %i, noting that it cannot list models, and skips its model checks',
    async (status) => {
      const local = await serve(openAIWithoutListing(status));
      const web = await webPlugins();
      const file = configFile({
        providers: { local: { type: 'openai', apiKey: 'sk-good', baseURL: `${local.url}/v1` } },
        models: { default: 'local/qwen2.5-7b', actions: { ConductResearch: 'local/llama-3.1-8b' } },
        plugins: web.plugins,
      });
      const checks = await runDoctor({ configFile: file, env: {}, browseURL: web.browseURL, timeoutMs: 3_000 });
      expect(
        checks.filter((check) => check.status === 'fail'),
        JSON.stringify(checks, null, 2),
      ).toEqual([]);
      expect(byName(checks, 'provider local')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining(`reachable, cannot list models (GET /models answered ${status})`) as string,
      });
      for (const model of ['local/qwen2.5-7b', 'local/llama-3.1-8b'])
        expect(byName(checks, `model ${model}`)).toMatchObject({
          status: 'skipped',
          detail: expect.stringContaining('not checked: the provider cannot list its models') as string,
        });
      // Still free: the listing was asked for, nothing was generated.
      expect(local.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v1/models']);
    },
  );

  it('still fails a server without a model listing that refuses the key', async () => {
    const local = await serve(openAIWithoutListing(404, 'sk-good'));
    const web = await webPlugins();
    const file = configFile({
      providers: { local: { type: 'openai', apiKey: 'sk-wrong', baseURL: `${local.url}/v1` } },
      models: { default: 'local/qwen2.5-7b' },
      plugins: web.plugins,
    });
    const checks = await runDoctor({ configFile: file, env: {}, browseURL: web.browseURL, timeoutMs: 3_000 });
    expect(byName(checks, 'provider local')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('key refused') as string,
    });
  });

  it('names the unset variable of a provider without a key', async () => {
    const web = await webPlugins();
    const file = configFile({
      providers: { openai: { type: 'openai', apiKey: '${UNSET_KEY_TEST}' } },
      plugins: web.plugins,
    });
    const checks = await runDoctor({ configFile: file, env: {}, browseURL: web.browseURL });
    expect(byName(checks, 'provider openai')).toMatchObject({
      status: 'fail',
      fix: 'set the environment variable UNSET_KEY_TEST',
    });
  });

  it('skips the browse check, without failing it, when the public page cannot be reached', async () => {
    const ollama = await serve(ollamaListing(['llama3.2:latest']));
    const web = await webPlugins();
    const file = configFile({
      providers: { local: { type: 'ollama', baseURL: ollama.url } },
      models: { default: 'local/llama3.2' },
      plugins: { ...web.plugins, browse: { use: 'http' } },
    });
    // .invalid never resolves (RFC 2606): the same DNS failure as a machine without network.
    const checks = await runDoctor({ configFile: file, env: {}, browseURL: 'https://agentd-doctor.invalid/' });
    expect(byName(checks, 'browse (http)')).toMatchObject({
      status: 'skipped',
      detail: expect.stringMatching(/^skipped \(offline\)/) as string,
    });
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
  });

  it('reports an invalid config as its one failing check, naming the key path', async () => {
    const file = configFile({ server: { port: 'soon' } });
    const checks = await runDoctor({ configFile: file, env: {} });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'config',
      status: 'fail',
      detail: expect.stringContaining('server.port') as string,
    });
  });

  it('says to check the path, or to write the config there, when --config names a file that does not exist', async () => {
    const temp = makeTempDir('agentd-doctor-test-');
    cleanups.push(temp.cleanup);
    const missing = path.join(temp.dir, 'nope.json');
    const checks = await runDoctor({ configFile: missing, env: {} });
    expect(checks).toEqual([
      {
        name: 'config',
        status: 'fail',
        detail: expect.stringContaining(`cannot read ${missing} (ENOENT)`) as string,
        fix: `check the path, or write a config there with agentd init --config ${missing}`,
      },
    ]);
  });

  it('fails the config check on plugin options that start would refuse, and does not try those plugins', async () => {
    const ollama = await serve(ollamaListing(['llama3.2:latest']));
    const file = configFile({
      providers: { local: { type: 'ollama', baseURL: ollama.url } },
      models: { default: 'local/llama3.2' },
      plugins: { search: { use: 'searxng' }, wiki: { use: 'mediawiki', regoin: 'x' } },
    });
    const checks = await runDoctor({ configFile: file, env: {} });
    expect(byName(checks, 'config')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('plugins.search.baseURL: expected the URL of a SearXNG instance') as string,
      fix: 'fix the keys named above (agentd config check lists them)',
    });
    expect(byName(checks, 'config')?.detail).toContain('plugins.wiki: unknown key "regoin"');
    expect(checks.map((check) => check.name)).not.toContain('search (searxng)');
    expect(byName(checks, 'provider local')?.status).toBe('ok');
  });

  it('fails a port another program holds', async () => {
    // Another program: it speaks HTTP, but it is not agentd.
    const holder = await serve(startWireServer((_request, response) => void response.end('hello from something else')));
    const port = holder.port;
    const file = configFile({
      providers: { local: { type: 'ollama', baseURL: await deadURL() } },
      plugins: (await webPlugins()).plugins,
    });
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), server: { port } }));
    const checks = await runDoctor({ configFile: file, env: {}, timeoutMs: 2_000 });
    expect(byName(checks, 'port')).toMatchObject({
      status: 'fail',
      detail: `127.0.0.1:${port} is in use by another program`,
    });
  });

  it('prints one line per check with the fix and exits 1 from the CLI', async () => {
    const web = await webPlugins();
    const file = configFile({
      providers: { local: { type: 'ollama', baseURL: await deadURL() } },
      models: { default: 'local/llama3.2' },
      plugins: web.plugins,
    });
    const result = await runCli(['doctor', '--config', file], {
      env: { AGENTD_DOCTOR_BROWSE_URL: web.browseURL },
      timeoutMs: 90_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}provider local: ollama at http:\/\/127\.0\.0\.1:\d+: unreachable/m);
    expect(result.stdout).toContain(
      'fix: start Ollama (ollama serve) or set providers.local.baseURL to where it listens',
    );
    expect(result.stdout).toMatch(/^ok {4}search \(searxng\): answered a query \(\d results, at most 3 asked for\)$/m);
    expect(result.stdout).toMatch(/^1 of 7 checks failed$/m);
  }, 120_000);

  it('prints every check and exits 0 from the CLI when all pass, the browse check extracting an HTML page', async () => {
    // Nothing else keeps the command's process busy here: it must still wait for the extraction worker it
    // closes (an unref'd child's exit went unseen, and the process ended silently before printing anything).
    const openai = await serve(openAIListing(['gpt-4o-mini']));
    const web = await webPlugins();
    const file = configFile({
      providers: { openai: { type: 'openai', apiKey: '${OPENAI_KEY_TEST}', baseURL: `${openai.url}/v1` } },
      models: { default: 'openai/gpt-4o-mini' },
      plugins: web.plugins,
    });
    const article = web.browseURL.replace(/\/page$/, '/article');
    const result = await runCli(['doctor', '--config', file], {
      env: { ...env, AGENTD_DOCTOR_BROWSE_URL: article },
      timeoutMs: 90_000,
    });
    expect(result.stdout).toContain(`ok    browse (http): fetched ${article} ("Example article")\n`);
    expect(result.stdout).toMatch(/^all 8 checks passed$/m);
    expect(result.code).toBe(0);
  }, 120_000);

  it('answers --json with every check and ok: false when one fails', async () => {
    const web = await webPlugins();
    const file = configFile({
      providers: { local: { type: 'ollama', baseURL: await deadURL() } },
      models: { default: 'local/llama3.2' },
      plugins: web.plugins,
    });
    const printed: string[] = [];
    const code = await doctorCommand(
      { configFile: file, json: true, env: { AGENTD_DOCTOR_BROWSE_URL: web.browseURL } },
      { out: (text) => printed.push(text), error: (text) => printed.push(text) },
    );
    expect(code).toBe(1);
    const report = JSON.parse(printed.join('')) as { ok: boolean; checks: DoctorCheck[] };
    expect(report.ok).toBe(false);
    expect(byName(report.checks, 'provider local')?.status).toBe('fail');
    expect(byName(report.checks, 'browse (http)')).toMatchObject({
      status: 'ok',
      detail: `fetched ${web.browseURL} ("page")`,
    });
  });
});
