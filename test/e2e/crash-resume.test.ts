import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../src/gateway/gateway.js';
import { isProcessAlive } from '../../src/daemon/state-files.js';
import { llmKey } from '../../src/runs/run-context.js';
import type { RunEvent } from '../../src/types/run-events.js';
import type { Run } from '../../src/types/run-record.js';
import { startTestDaemon, waitForStatus } from '../helpers/daemon.js';
import { startFixtureWeb } from '../helpers/fixture-web.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const llm = await startScriptedLlm({ keywords: ['Arduino', 'Trademark'], latencyMs: 120 });
  cleanups.push(() => llm.close());
  const web = await startFixtureWeb({ faults: false, wikiTitles: { Arduino: 'Arduino', Trademark: 'Trademark' } });
  cleanups.push(() => web.close());
  // The cross-run LLM cache is off: what is checked here is that a run's own steps are never paid twice.
  const daemon = await startTestDaemon({
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
    models: { default: 'llm/test-model' },
    plugins: web.plugins,
    cache: { llm: false },
  });
  cleanups.push(() => daemon.stop());
  const submitted = await daemon.request<{ id: string }>('POST', '/v1/runs', {
    topic: 'The Arduino trademark dispute',
  });
  const stepsFile = path.join(daemon.dataDir, 'store', 'runs', submitted.body.id, 'steps.jsonl');
  return { llm, daemon, id: submitted.body.id, stepsFile };
}

/** Keys of the LLM answers the run had persisted. */
function persistedLlmKeys(stepsFile: string): Set<string> {
  const keys = readFileSync(stepsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { key: string }).key);
  return new Set(keys.filter((key) => key.startsWith('llm:')).map((key) => key.split(':')[2] as string));
}

/** The key the daemon gives a request the provider received. */
function keyOf(call: ScriptedLlm['calls'][number]): string {
  const body = call.body as {
    messages: GenerateRequest['messages'];
    max_tokens?: number;
    temperature?: number;
    response_format?: { type: string };
    stop?: string[];
  };
  return llmKey('llm/test-model', {
    messages: body.messages.map(({ role, content }) => ({ role, content })),
    maxOutputTokens: body.max_tokens,
    temperature: body.temperature,
    responseFormat: body.response_format?.type === 'json_object' ? 'json' : undefined,
    stop: body.stop,
  });
}

describe('a run survives the daemon dying', () => {
  it('after kill -9 mid-run, agentd start resumes it and no finished LLM call is made again', async () => {
    const { llm, daemon, id, stepsFile } = await setup();
    await expect
      .poll(() => persistedLlmKeys(stepsFile).size, { timeout: 30_000, interval: 50 })
      .toBeGreaterThanOrEqual(6);
    const pid = Number(readFileSync(path.join(daemon.dataDir, 'agentd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => isProcessAlive(pid)).toBe(false);
    const finished = persistedLlmKeys(stepsFile);
    const callsBeforeRestart = llm.calls.length;

    const restarted = await daemon.cli(['start']);
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toContain('removed a stale pid file');
    const run = (await waitForStatus(daemon, id)) as unknown as Run;
    expect(run.status).toBe('completed');
    expect(run.report).toMatch(/^# /);

    const askedAgain = llm.calls.slice(callsBeforeRestart).filter((call) => finished.has(keyOf(call)));
    expect(askedAgain).toEqual([]);
    expect(llm.calls.length).toBeGreaterThan(callsBeforeRestart);
  });

  it('agentd stop checkpoints a running run and the next start resumes it', async () => {
    const { llm, daemon, id, stepsFile } = await setup();
    await expect
      .poll(() => persistedLlmKeys(stepsFile).size, { timeout: 30_000, interval: 50 })
      .toBeGreaterThanOrEqual(4);
    const stopped = await daemon.cli(['stop']);
    expect(stopped.code).toBe(0);
    // A stop removes the pid file and writes out its last log line before the process exits.
    expect(existsSync(path.join(daemon.dataDir, 'agentd.pid'))).toBe(false);
    const logLines = readFileSync(path.join(daemon.dataDir, 'agentd.log'), 'utf8').trim().split('\n');
    expect((JSON.parse(logLines.at(-1) as string) as { msg: string }).msg).toBe('agentd stopped');
    const finished = persistedLlmKeys(stepsFile);
    const callsBeforeRestart = llm.calls.length;

    expect((await daemon.cli(['start'])).code).toBe(0);
    const run = (await waitForStatus(daemon, id)) as unknown as Run;
    expect(run.status).toBe('completed');
    expect(llm.calls.slice(callsBeforeRestart).filter((call) => finished.has(keyOf(call)))).toEqual([]);
    const started = readFileSync(path.join(daemon.dataDir, 'store', 'runs', id, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RunEvent)
      .filter((event) => event.type === 'run-started');
    expect(started.map((event) => event.data.resumed)).toEqual([false, true]);
  });
});
