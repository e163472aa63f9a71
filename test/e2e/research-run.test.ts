import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Run } from '../../src/runs/run-record.js';
import { runEventSchema } from '../../src/types/run-events.js';
import { startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/daemon.js';
import { startFixtureWeb } from '../helpers/fixture-web.js';
import { startScriptedLlm } from '../helpers/scripted-llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(llmOptions: Parameters<typeof startScriptedLlm>[0]) {
  const llm = await startScriptedLlm({ keywords: ['Arduino', 'Trademark'], ...llmOptions });
  cleanups.push(() => llm.close());
  const web = await startFixtureWeb({ wikiTitles: { Arduino: 'Arduino', Trademark: 'Trademark' } });
  cleanups.push(() => web.close());
  const daemon = await startTestDaemon({
    providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-e2e-secret-key-123' } },
    models: { default: 'llm/test-model' },
    pricing: { 'llm/test-model': { input: 0.5, output: 1 } },
    plugins: web.plugins,
  });
  cleanups.push(() => daemon.stop());
  return { llm, web, daemon };
}

function expectCitationsResolve(run: Run): void {
  const allowed = [...run.wiki.map((entry) => entry.url), ...run.sources.map((source) => source.url)];
  const references = new Map(
    [...run.report.matchAll(/^\[(\d+)\] .*?(https?:\/\/\S+)$/gm)].map((match) => [
      Number(match[1]),
      match[2] as string,
    ]),
  );
  expect(references.size).toBeGreaterThan(0);
  for (const url of references.values()) expect(allowed).toContain(url);
  for (const match of run.report.matchAll(/\[(\d+)\](?!\()/g)) expect(references.has(Number(match[1]))).toBe(true);
  for (const url of run.report.match(/https?:\/\/\S+/g) ?? []) expect(allowed).toContain(url);
}

async function research(daemon: TestDaemon, topic: string): Promise<Run> {
  const submitted = await daemon.request<{ id: string; status: string }>('POST', '/v1/runs', { topic, language: 'en' });
  expect(submitted.status).toBe(202);
  expect(submitted.body.status).toBe('queued');
  return (await waitForStatus(daemon, submitted.body.id)) as unknown as Run;
}

/** A finished run's events as a client receives them: replayed over the WebSocket until it closes. */
function receivedEvents(daemon: TestDaemon, id: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    const socket = new WebSocket(`${daemon.url.replace(/^http/, 'ws')}/v1/runs/${id}/events?token=${daemon.token}`);
    socket.on('message', (data) => events.push(JSON.parse(String(data))));
    socket.on('close', () => resolve(events));
    socket.on('error', reject);
  });
}

describe('a research run end to end, through the daemon started by the CLI', () => {
  it('completes with every field filled and every citation resolving to a source', async () => {
    const { daemon } = await setup({});
    const run = await research(daemon, 'The Arduino trademark dispute between Arduino LLC and Arduino SRL');
    expect(run.status).toBe('completed');
    expect(run.keywords).toEqual(['Arduino', 'Trademark']);
    expect(run.wiki).toHaveLength(2);
    expect(run.sources.length).toBeGreaterThanOrEqual(3);
    expect(run.report).toMatch(/^# /);
    expect(run.usage.calls).toBeGreaterThan(0);
    expect(run.usage.costUsd).toBeGreaterThan(0);
    expectCitationsResolve(run);

    const report = await daemon.request<string>('GET', `/v1/runs/${run.id}/report`);
    expect(report.headers.get('content-type')).toContain('text/markdown');
    expect(report.text).toBe(run.report);
    const listed = await daemon.request<{ runs: Array<{ id: string; status: string }> }>('GET', '/v1/runs');
    expect(listed.body.runs[0]).toMatchObject({ id: run.id, status: 'completed' });
  });

  it('completes despite provider 500s, malformed answers, a page timeout, a 404 and a private address, each in errors', async () => {
    const { daemon, llm } = await setup({ serverErrorRate: 0.1, malformedRate: 0.3 });
    const run = await research(daemon, 'The Arduino trademark dispute between Arduino LLC and Arduino SRL');
    expect(run.status).toBe('completed');
    expect(run.report.length).toBeGreaterThan(100);
    expectCitationsResolve(run);

    const problems = run.errors.map((error) => `${error.stage} ${error.url ?? ''} ${error.message}`).join('\n');
    expect(problems).toMatch(/\/missing .*HTTP 404/);
    expect(problems).toMatch(/\/slow .*did not answer/);
    expect(problems).toMatch(/169\.254\.169\.254.*not fetched/);
    expect(problems).toMatch(/repaired after a retry|fell back to/);
    // The 500s were retried by the gateway: the provider saw more requests than the ledger has calls.
    expect(llm.calls.length).toBeGreaterThan(run.usage.calls);
    expect(JSON.stringify(run)).not.toContain('sk-e2e-secret-key-123');

    // Every event the run produced is one the typed contract describes, with exactly its fields.
    const events = await receivedEvents(daemon, run.id);
    for (const event of events) {
      const parsed = runEventSchema.safeParse(event);
      expect(parsed.success, `${JSON.stringify(event).slice(0, 300)}: ${parsed.error?.message}`).toBe(true);
    }
    const types = new Set(events.map((event) => (event as { type: string }).type));
    for (const type of [
      'run-queued',
      'run-started',
      'action-start',
      'action-end',
      'llm-call',
      'message-published',
      'source-summarized',
      'run-completed',
    ])
      expect(types, type).toContain(type);
  });
});
