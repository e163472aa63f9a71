import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { initCommand } from '../../src/cli/commands/init.js';
import { runCli } from '../helpers/cli.js';
import {
  anthropicListing,
  deadURL,
  ollamaListing,
  openAIListing,
  openAIWithoutListing,
} from '../helpers/provider-listings.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import type { WireServer } from '../helpers/wire-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function serve(server: Promise<WireServer>): Promise<WireServer> {
  const started = await server;
  cleanups.push(() => started.close());
  return started;
}
function tempFile(): string {
  const temp = makeTempDir('agentd-init-test-');
  cleanups.push(temp.cleanup);
  return path.join(temp.dir, 'agentd', 'config.json');
}
function capture() {
  const lines: string[] = [];
  return { lines, output: { out: (text: string) => lines.push(text), error: (text: string) => lines.push(text) } };
}

/** A terminal whose user types `answers`, one line each, and the questions it was asked. */
function terminal(answers: string[]) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  input.end(answers.map((answer) => `${answer}\n`).join(''));
  const prompts = new PassThrough();
  let asked = '';
  prompts.on('data', (chunk: Buffer) => (asked += chunk.toString()));
  return { input, prompts, asked: () => asked };
}

async function environment() {
  const openai = await serve(openAIListing(['gpt-4o-mini', 'gpt-4.1']));
  const anthropic = await serve(anthropicListing(['claude-haiku-4-5']));
  const ollama = await serve(ollamaListing(['llama3.2:latest', 'nomic-embed-text:latest']));
  return {
    OPENAI_API_KEY: 'sk-good',
    OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-good',
    ANTHROPIC_BASE_URL: anthropic.url,
    OLLAMA_HOST: ollama.url,
  };
}

describe('agentd init', () => {
  it('--yes writes every provider found, keys as ${NAME} references, and refuses to overwrite on a second run', async () => {
    const env = await environment();
    const file = tempFile();
    const first = await runCli(['init', '--yes', '--config', file], { env, timeoutMs: 90_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({
      providers: {
        openai: { type: 'openai', apiKey: '${OPENAI_API_KEY}', baseURL: env.OPENAI_BASE_URL },
        anthropic: { type: 'anthropic', apiKey: '${ANTHROPIC_API_KEY}', baseURL: env.ANTHROPIC_BASE_URL },
        ollama: { type: 'ollama', baseURL: env.OLLAMA_HOST },
      },
      models: { default: 'openai/gpt-4o-mini' },
      plugins: { search: { use: 'duckduckgo' } },
    });
    expect(text).not.toContain('sk-good');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = capture();
    expect(await initCommand({ configFile: file, yes: true, env }, second.output)).toBe(1);
    expect(second.lines.join('\n')).toContain('left unchanged');
    expect(readFileSync(file, 'utf8')).toBe(text);
  }, 120_000);

  it('says of an OpenAI-compatible server without a model listing that it answers but cannot list its models', async () => {
    const local = await serve(openAIWithoutListing(404));
    const env = { OPENAI_API_KEY: 'sk-good', OPENAI_BASE_URL: `${local.url}/v1`, OLLAMA_HOST: await deadURL() };
    const { lines, output } = capture();
    expect(await initCommand({ configFile: tempFile(), yes: true, env }, output)).toBe(0);
    expect(lines.join('\n')).toContain(
      'found openai (environment: OPENAI_API_KEY): answers, cannot list its models (GET /models answered 404: set models.default to one it serves), default gpt-4o-mini',
    );
  });

  it('asks on a terminal which providers, which default model and which search backend', async () => {
    const env = { ...(await environment()), BRAVE_API_KEY: 'brave-key' };
    const file = tempFile();
    // openai: no; anthropic: yes (default); ollama: yes; default model: by name; search: the second offered.
    const tty = terminal(['n', '', 'y', 'ollama/llama3.2', '2']);
    const result = capture();
    expect(
      await initCommand({ configFile: file, yes: false, env, input: tty.input, prompts: tty.prompts }, result.output),
    ).toBe(0);
    expect(tty.asked()).toContain('Use openai (environment: OPENAI_API_KEY)? [Y/n]');
    expect(tty.asked()).toMatch(/1\) anthropic\/claude-haiku-4-5 {2}\(default\)/);
    expect(tty.asked()).not.toContain('nomic-embed-text');
    // llama3.2 and llama3.2:latest are one Ollama model: offered once.
    expect(tty.asked()).toContain('ollama/llama3.2\n');
    expect(tty.asked()).not.toContain('ollama/llama3.2:latest');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      providers: { anthropic: { apiKey: '${ANTHROPIC_API_KEY}' }, ollama: { type: 'ollama' } },
      models: { default: 'ollama/llama3.2' },
      plugins: { search: { use: 'duckduckgo' } },
    });
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { providers: object }).providers)).toEqual([
      'anthropic',
      'ollama',
    ]);
  });

  it('leaves an existing file alone when the user does not confirm replacing it', async () => {
    const env = { OLLAMA_HOST: (await serve(ollamaListing(['llama3.2:latest']))).url };
    const file = tempFile();
    await initCommand({ configFile: file, yes: true, env }, capture().output);
    writeFileSync(file, '{"mine": true}\n');
    // ollama: yes; model: default; search: default; replace: default (no).
    const tty = terminal(['', '', '', '']);
    const result = capture();
    expect(
      await initCommand({ configFile: file, yes: false, env, input: tty.input, prompts: tty.prompts }, result.output),
    ).toBe(1);
    expect(tty.asked()).toContain('exists. Replace it? [y/N]');
    expect(readFileSync(file, 'utf8')).toBe('{"mine": true}\n');
  });

  it('without a terminal and without --yes asks nothing and writes nothing', async () => {
    const file = tempFile();
    const result = capture();
    const input = Object.assign(new PassThrough(), { isTTY: false });
    expect(
      await initCommand({ configFile: file, yes: false, env: { OLLAMA_HOST: await deadURL() }, input }, result.output),
    ).toBe(2);
    expect(result.lines.join('\n')).toContain('pass --yes');
    expect(existsSync(file)).toBe(false);
  });

  it('with nothing found writes a local Ollama config, says what was missing and what to do before starting', async () => {
    const file = tempFile();
    const result = capture();
    expect(
      await initCommand({ configFile: file, yes: true, env: { OLLAMA_HOST: await deadURL() } }, result.output),
    ).toBe(0);
    expect(result.lines.join('\n')).toContain('found no provider');
    expect(result.lines.join('\n')).toContain(
      'next: start Ollama (ollama serve, then ollama pull llama3.2), or set OPENAI_API_KEY or ANTHROPIC_API_KEY and run agentd init again; then agentd doctor',
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      providers: { ollama: { type: 'ollama' } },
      models: { default: 'ollama/llama3.2' },
    });
  });
});
