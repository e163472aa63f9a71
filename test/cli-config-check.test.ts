import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Output } from '../src/cli/output.js';
import { makeTempDir } from './helpers/temp-dir.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Runs `agentd config check` in-process on a config with these keys; its exit code and everything it printed. */
async function configCheck(document: Record<string, unknown>): Promise<{ code: number; text: string }> {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  const file = path.join(temp.dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: path.join(temp.dir, 'data'),
      providers: { local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' } },
      ...document,
    }),
  );
  let text = '';
  const output: Output = { out: (line) => (text += `${line}\n`), error: (line) => (text += `${line}\n`) };
  const code = await main(['config', 'check', '--config', file], output);
  return { code, text };
}

describe('agentd config check refuses what agentd start refuses', () => {
  it('fails a plugin missing a required option and an unknown plugin, naming each key path', async () => {
    const checked = await configCheck({ plugins: { search: { use: 'searxng' }, wiki: { use: 'nosuchplugin' } } });
    expect(checked.code).toBe(1);
    expect(checked.text).toContain('plugins.search.baseURL: expected the URL of a SearXNG instance');
    expect(checked.text).toContain('plugins.wiki.use: "nosuchplugin" is neither a built-in wiki plugin (mediawiki)');
    expect(checked.text).not.toContain('config OK');
  });

  it('fails a typo in a plugin option and in an action name', async () => {
    const option = await configCheck({ plugins: { search: { use: 'duckduckgo', regoin: 'x' } } });
    expect(option.code).toBe(1);
    expect(option.text).toContain(
      'plugins.search: unknown key "regoin" (expected one of use, baseURL, region, timeoutMs)',
    );
    const action = await configCheck({ models: { default: 'local/m', actions: { ConductReserch: 'local/m' } } });
    expect(action.code).toBe(1);
    expect(action.text).toContain('models.actions: unknown key "ConductReserch" (expected one of KeywordExtract,');
  });

  it('lists the plugin problems beside those of the other sections, all at once', async () => {
    const checked = await configCheck({ server: { port: 'soon' }, plugins: { search: { use: 'searxng' } } });
    expect(checked.code).toBe(1);
    expect(checked.text).toContain('server.port: expected a number from 1 to 65535, got "soon"');
    expect(checked.text).toContain('plugins.search.baseURL: expected the URL of a SearXNG instance');
  });

  it('passes a config whose plugins start', async () => {
    const checked = await configCheck({
      plugins: {
        search: { use: 'searxng', baseURL: 'http://127.0.0.1:8888' },
        browse: { use: 'http', maxBytes: 1000 },
      },
      models: { default: 'local/m', actions: { ConductResearch: 'local/m' } },
    });
    expect(checked.text).toContain('config OK');
    expect(checked.code).toBe(0);
  });

  it('says which configured models have no known price, since budgets cannot limit their calls', async () => {
    const checked = await configCheck({
      providers: {
        local: { type: 'ollama', baseURL: 'http://127.0.0.1:9' },
        openai: { type: 'openai', apiKey: 'sk-test' },
        router: { type: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' },
        claude: { type: 'anthropic', apiKey: 'sk-ant-test' },
      },
      pricing: { 'router/priced-model': { input: 1, output: 2, cachedInput: 0.5 } },
      models: {
        default: 'router/some-model',
        actions: {
          KeywordExtract: 'router/priced-model',
          CollectLinks: 'openai/gpt-4o-mini',
          WebBrowseAndSummarize: 'local/llama3.2',
          ConductResearch: 'claude/claude-haiku-4-5',
        },
      },
    });
    expect(checked.code).toBe(0);
    expect(checked.text).toContain(
      '  models: default router/some-model (no known price: its calls count $0 and no budget limits them; set pricing["router/some-model"])\n',
    );
    for (const line of [
      'KeywordExtract: router/priced-model\n',
      'CollectLinks: openai/gpt-4o-mini\n',
      'WebBrowseAndSummarize: local/llama3.2\n',
      'ConductResearch: claude/claude-haiku-4-5\n',
    ])
      expect(checked.text).toContain(line);
  });
});
