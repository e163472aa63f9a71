import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface Setup {
  dir: string;
  dataDir: string;
  configFile: string;
  port: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(extra: Record<string, unknown> = {}): Promise<Setup> {
  const temp = makeTempDir();
  const port = await freePort();
  const dataDir = path.join(temp.dir, 'data');
  const configFile = path.join(temp.dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { port },
      dataDir,
      providers: { openai: { type: 'openai', apiKey: 'sk-secret-should-never-be-logged' } },
      ...extra,
    }),
  );
  cleanups.push(temp.cleanup);
  cleanups.push(async () => {
    await runCli(['stop', '--config', configFile]);
  });
  return { dir: temp.dir, dataDir, configFile, port };
}

describe('agentd start, status and stop', () => {
  it('starts in the background, says so on a second start, reports status, and stops', async () => {
    const { configFile, dataDir, port } = await setup();

    const started = await runCli(['start', '--config', configFile]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(new RegExp(`agentd started at http://127\\.0\\.0\\.1:${port} \\(pid \\d+\\)`));

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const token = readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, 'token')).mode & 0o777).toBe(0o600);

    const again = await runCli(['start', '--config', configFile]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already running at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);

    const status = await runCli(['status', '--config', configFile, '--json']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      running: boolean;
      pid: number;
      url: string;
      uptimeSeconds: number;
      version: string;
    };
    expect(parsed).toMatchObject({ running: true, url: `http://127.0.0.1:${port}` });
    expect(parsed.pid).toBe(Number(readFileSync(path.join(dataDir, 'agentd.pid'), 'utf8')));

    const text = await runCli(['status', '--config', configFile]);
    expect(text.stdout).toMatch(/agentd \S+ running at http:\/\/127\.0\.0\.1:\d+\n\s+pid \d+, up \d+s/);
    // Each provider says where it came from and whether it works (here: not yet known, or the check's outcome).
    expect(text.stdout).toContain(`provider openai (openai, from config file ${configFile})`);
    expect(text.stdout).toMatch(/\n {4}(not checked yet|reachable|unreachable); /);

    const stopped = await runCli(['stop', '--config', configFile]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/agentd stopped \(pid \d+\)/);
    expect(() => statSync(path.join(dataDir, 'agentd.pid'))).toThrow();

    const after = await runCli(['status', '--config', configFile]);
    expect(after.code).toBe(3);
    expect(after.stdout).toMatch(/agentd is not running at \S+ \(start it with: agentd start\)/);

    const log = readFileSync(path.join(dataDir, 'agentd.log'), 'utf8');
    expect(log).toContain('agentd listening');
    expect(log).not.toContain('sk-secret-should-never-be-logged');
    expect(log).not.toContain(token);
  });

  it('cleans up a stale pid file left by a daemon that died', async () => {
    const { configFile, dataDir, port } = await setup();
    // A pid that cannot be alive: the kernel's pid_max is below 2^22 on Linux.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'agentd.pid'), '4194303\n');
    writeFileSync(
      path.join(dataDir, 'daemon.json'),
      JSON.stringify({
        pid: 4194303,
        url: `http://127.0.0.1:${port}`,
        startedAt: new Date().toISOString(),
        version: '0.0.0',
      }),
    );

    const started = await runCli(['start', '--config', configFile]);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain('removed a stale pid file (pid 4194303 is not running)');
    expect(Number(readFileSync(path.join(dataDir, 'agentd.pid'), 'utf8'))).not.toBe(4194303);
  });

  it('explains a port in use instead of printing a stack trace', async () => {
    const { configFile, port } = await setup();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    const started = await runCli(['start', '--config', configFile]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(started.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs attached with --foreground and stops cleanly on SIGTERM', async () => {
    const { configFile, dataDir, port } = await setup();
    const child = spawn(process.execPath, [BIN, 'start', '--foreground', '--config', configFile], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await expect.poll(() => stdout, { timeout: 15_000 }).toContain(`listening on http://127.0.0.1:${port}`);
    expect(Number(readFileSync(path.join(dataDir, 'agentd.pid'), 'utf8'))).toBe(child.pid);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(() => statSync(path.join(dataDir, 'daemon.json'))).toThrow();
  });

  it('never starts with an invalid config: exit 1 naming the key path', async () => {
    const { configFile } = await setup({ server: { port: 'abc' } });
    const started = await runCli(['start', '--config', configFile]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('server.port: expected a number from 1 to 65535, got "abc"');
  });
});

describe('agentd config check', () => {
  it('summarises a valid config without its secrets', async () => {
    const { configFile } = await setup();
    const checked = await runCli(['config', 'check', '--config', configFile]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('config OK');
    expect(checked.stdout).toContain('openai: openai (key set; no limits)');
    expect(checked.stdout).not.toContain('sk-secret-should-never-be-logged');
  });

  it('lists every problem and exits 1', async () => {
    const { configFile } = await setup({ server: { port: 'abc' }, runs: { concurrency: 0 } });
    const checked = await runCli(['config', 'check', '--config', configFile]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('server.port: expected a number from 1 to 65535, got "abc"');
    expect(checked.stderr).toContain('runs.concurrency: expected a positive whole number of runs');
  });

  it('passes on config.example.json', async () => {
    const checked = await runCli([
      'config',
      'check',
      '--config',
      new URL('../../config.example.json', import.meta.url).pathname,
    ]);
    expect(checked.code).toBe(0);
  });
});
