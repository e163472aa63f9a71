import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/types/run-record.js';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/daemon.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { freePort } from '../helpers/free-port.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startWireServer } from '../helpers/wire-server.js';

describe('the CLI client', () => {
  let llm: ScriptedLlm;
  let web: FixtureWeb;
  let daemon: TestDaemon;

  beforeAll(async () => {
    llm = await startScriptedLlm({ keywords: ['Arduino'], latencyMs: 20 });
    web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino' } });
    daemon = await startTestDaemon({
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      pricing: { 'llm/test-model': { input: 1, output: 1 } },
      plugins: web.plugins,
      cache: { llm: false },
    });
  });
  afterAll(async () => {
    await daemon.stop();
    await llm.close();
    await web.close();
  });

  /** A config file for a daemon of the test's own (it is stopped and started) whose LLM answers after `latencyMs`. */
  async function slowSetup(latencyMs: number) {
    const slow = await startScriptedLlm({ keywords: ['Arduino'], latencyMs });
    const temp = makeTempDir();
    const configFile = path.join(temp.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        server: { port: await freePort() },
        dataDir: path.join(temp.dir, 'data'),
        providers: { llm: { type: 'openai', baseURL: slow.baseURL, apiKey: 'sk-local-test-key' } },
        models: { default: 'llm/test-model' },
        plugins: web.plugins,
      }),
    );
    return { slow, temp, configFile };
  }

  it('research --follow shows progress, then prints the report', async () => {
    const result = await daemon.cli([
      'research',
      'Arduino boards and shields',
      '--lang',
      'en',
      '--budget',
      '0.5',
      '--follow',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# /);
    expect(result.stdout).toContain('## References');
    expect(result.stderr).toMatch(/run \S+ queued/);
    expect(result.stderr).toMatch(/pages \d+\/\d+, \d+ tokens, \$\d+\.\d{4}/);
    expect(result.stderr).toMatch(/^completed/m);
  });

  it('research --follow with a team that writes no report prints what the run found instead of nothing', async () => {
    const result = await daemon.cli(['research', 'Arduino without a report', '--team', 'extractor,wiki', '--follow']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^run \S+: completed\n/);
    expect(result.stdout).toContain('team: extractor, wiki');
    expect(result.stdout).toContain('keywords: Arduino');
    expect(result.stdout).toContain('wiki: Arduino <https://en.wikipedia.org/wiki/Arduino>');
  });

  it('research --json answers the submission as JSON, and --follow --json the finished run', async () => {
    const submitted = await daemon.cli(['research', 'Arduino clones', '--json']);
    expect(submitted.code).toBe(0);
    const { id, status } = JSON.parse(submitted.stdout) as { id: string; status: string };
    expect(status).toBe('queued');
    await waitForStatus(daemon, id);
    const followed = await daemon.cli(['research', 'Arduino history', '--follow', '--json']);
    expect(followed.code).toBe(0);
    const run = JSON.parse(followed.stdout) as Run;
    expect(run).toMatchObject({ status: 'completed', topic: 'Arduino history' });
    expect(run.report).toMatch(/^# /);
  });

  it('lists, shows, writes the report of, and refuses to cancel or resume a finished run', async () => {
    const listed = await daemon.cli(['runs', '--json']);
    const runs = JSON.parse(listed.stdout) as Array<{ id: string; status: string }>;
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const id = runs[0]!.id;
    const table = await daemon.cli(['runs']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+COST\s+TOPIC$/);
    expect(table.stdout).toContain(id);

    const shown = await daemon.cli(['show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^run ${id}: completed`));
    expect(shown.stdout).toContain('keywords: Arduino');
    expect(JSON.parse((await daemon.cli(['show', id, '--json'])).stdout)).toMatchObject({ id, status: 'completed' });

    const file = path.join(makeTempDir().dir, 'report.md');
    const written = await daemon.cli(['report', id, '-o', file]);
    expect(written.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# /);

    const cancel = await daemon.cli(['cancel', id]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain('only queued or running runs can be cancelled');
    expect((await daemon.cli(['resume', id])).stderr).toContain('only failed or cancelled runs can be resumed');
    const missing = await daemon.cli(['show', 'no-such-run']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run with id "no-such-run"');
  });

  it('research --follow says so when the daemon stops, follows on after agentd start, and prints the report', async () => {
    const { slow, temp, configFile } = await slowSetup(400);
    expect((await runCli(['start', '--config', configFile])).code).toBe(0);
    try {
      const child = spawn(process.execPath, [BIN, 'research', 'Arduino restart', '--follow', '--config', configFile], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await expect.poll(() => stderr, { timeout: 60_000, interval: 50 }).toMatch(/^CollectLinks/m);
      expect((await runCli(['stop', '--config', configFile])).code).toBe(0);
      await expect
        .poll(() => stderr, { timeout: 30_000, interval: 50 })
        .toContain('the daemon stopped answering (stopped or restarting): waiting for it; run ');
      expect((await runCli(['start', '--config', configFile])).code).toBe(0);
      expect(await exited).toBe(0);
      expect(stderr).toContain('the daemon answers again: following on');
      expect(stderr.match(/the daemon stopped answering/g)).toHaveLength(1);
      expect(stderr).toMatch(/^completed/m);
      expect(stdout).toMatch(/^# /);
    } finally {
      await runCli(['stop', '--config', configFile]);
      await slow.close();
      temp.cleanup();
    }
  });

  it('detaches on Ctrl-C without cancelling the run', async () => {
    const { slow, temp, configFile } = await slowSetup(2_000);
    expect((await runCli(['start', '--config', configFile])).code).toBe(0);
    try {
      const child = spawn(process.execPath, [BIN, 'research', 'Arduino detach', '--follow', '--config', configFile], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (/run \S+ queued/.test(stderr)) {
            clearInterval(timer);
            resolve();
          }
        }, 50);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(130);
      const id = /run (\S+) queued/.exec(stderr)?.[1] as string;
      expect(stderr).toContain(`detached; run ${id} goes on`);
      const shown = await runCli(['show', id, '--json', '--config', configFile]);
      expect((JSON.parse(shown.stdout) as Run).status).toMatch(/queued|running/);
    } finally {
      await runCli(['stop', '--config', configFile]);
      await slow.close();
      temp.cleanup();
    }
  });

  it('says the daemon is not running, and how to start it', async () => {
    const temp = makeTempDir();
    const configFile = path.join(temp.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ server: { port: await freePort() }, dataDir: path.join(temp.dir, 'data') }),
    );
    const result = await runCli(['runs', '--config', configFile]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/agentd is not running at http:\/\/127\.0\.0\.1:\d+ \(start it with: agentd start\)/);
    temp.cleanup();
  });

  it('says another program holds the port when something that is not agentd answers there', async () => {
    // A development server that answers its own /health, and 404 to everything else.
    const other = await startWireServer((request, response) => {
      response.writeHead(request.url === '/health' ? 200 : 404).end(request.url === '/health' ? 'ok' : 'Not Found');
    });
    const temp = makeTempDir();
    const configFile = path.join(temp.dir, 'config.json');
    const port = Number(new URL(other.url).port);
    writeFileSync(configFile, JSON.stringify({ server: { port }, dataDir: path.join(temp.dir, 'data') }));
    const result = await runCli(['status', '--config', configFile]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`http://127.0.0.1:${port} answered HTTP 404, not as agentd does: another program`);
    const runs = await runCli(['runs', '--config', configFile]);
    expect(runs.code).toBe(3);
    expect(runs.stderr).toContain('another program listens on this port');
    await other.close();
    temp.cleanup();
  });
});
