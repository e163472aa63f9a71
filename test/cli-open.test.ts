import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCommand } from '../src/cli/commands/open.js';
import type { Output } from '../src/cli/output.js';
import { parseConfig } from '../src/config/load-config.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { sendJson, startWireServer, type WireServer } from './helpers/wire-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function capture(): Output & { printed: string[]; errors: string[] } {
  const printed: string[] = [];
  const errors: string[] = [];
  return { printed, errors, out: (line) => printed.push(line), error: (line) => errors.push(line) };
}

/** A daemon that hands out one-time login links, and an `xdg-open` on PATH that exits with `code`. */
async function setup(code: number) {
  const daemon: WireServer = await startWireServer((_request, response) =>
    sendJson(response, 200, { path: '/login?ticket=one-time', expiresAt: new Date().toISOString() }),
  );
  cleanups.push(() => daemon.close());
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  const bin = path.join(temp.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nexit ${code}\n`);
  chmodSync(path.join(bin, 'xdg-open'), 0o755);
  const previousPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${previousPath ?? ''}`;
  cleanups.push(() => {
    process.env.PATH = previousPath;
  });
  const config = parseConfig(
    { server: { port: daemon.port, token: 'test-token-0123456789abcdef' }, dataDir: path.join(temp.dir, 'data') },
    { env: {} },
  );
  return { config, link: `http://127.0.0.1:${daemon.port}/login?ticket=one-time` };
}

describe.skipIf(process.platform !== 'linux')('agentd open', () => {
  it('prints the one-time link and exits 1 when xdg-open finds no browser to open it with', async () => {
    const { config, link } = await setup(3);
    const output = capture();
    expect(await openCommand(config, { print: false }, output)).toBe(1);
    expect(output.errors.join('\n')).toContain('xdg-open could not open a browser');
    expect(output.printed).toEqual([link]);
  });

  it('says it opened the dashboard when xdg-open succeeds', async () => {
    const { config } = await setup(0);
    const output = capture();
    expect(await openCommand(config, { print: false }, output)).toBe(0);
    expect(output.printed.join('\n')).toContain('opened the dashboard');
  });
});
