import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Output } from '../src/cli/output.js';

function capture(): Output & { text: () => string } {
  let text = '';
  return { out: (line) => (text += `${line}\n`), error: (line) => (text += `${line}\n`), text: () => text };
}

describe('CLI arguments', () => {
  it.each([
    [['research'], 'agentd research: expected the topic as one argument (quote it)'],
    [['research', '  '], 'agentd research: the topic is empty'],
    [['research', 'topic', '--budget', 'lots'], 'agentd research: --budget expects a number of US dollars, got "lots"'],
    [['show'], 'agentd show: expected one run id'],
    [['cancel', 'a', 'b'], 'agentd cancel: expected one run id'],
    [['config', 'fix'], 'agentd config: expected "check"'],
    [['bogus'], 'agentd: unknown command "bogus"'],
    [['runs', '--no-such-flag'], "Unknown option '--no-such-flag'"],
    [['runs', '--limit', 'ten'], 'agentd runs: --limit expects a whole number of runs, got "ten"'],
    [['runs', '--all', '--limit', '5'], 'agentd runs: --all lists every run: it takes neither --limit nor --before'],
    [['runs', 'extra'], 'agentd runs: takes no arguments'],
  ])('refuses %j with a usage error (exit 2) before reading any config', async (argv, message) => {
    const output = capture();
    expect(await main(argv, output)).toBe(2);
    expect(output.text()).toContain(message);
    expect(output.text()).toContain('usage:');
  });

  it('prints the version and the help', async () => {
    const version = capture();
    expect(await main(['--version'], version)).toBe(0);
    expect(version.text()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = capture();
    expect(await main(['status', '--help'], help)).toBe(0);
    expect(help.text()).toContain('agentd research "TOPIC"');
  });
});
