import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Run } from '../../src/runs/run-record.js';
import type { Services } from '../../src/daemon/services.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { auth, buildTestApp, waitForRun } from '../helpers/services.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';

describe('a research run through the API', () => {
  let llm: ScriptedLlm;
  let web: FixtureWeb;
  let app: FastifyInstance;
  let services: Services;
  let close: () => Promise<void>;

  beforeAll(async () => {
    llm = await startScriptedLlm({ keywords: ['Arduino', 'Trademark'] });
    web = await startFixtureWeb({ wikiTitles: { Arduino: 'Arduino', Trademark: 'Trademark' } });
    ({ app, services, close } = await buildTestApp({
      providers: { llm: { type: 'openai', baseURL: llm.baseURL, apiKey: 'sk-local-test-key' } },
      models: { default: 'llm/test-model' },
      pricing: { 'llm/test-model': { input: 1, output: 2 } },
      plugins: web.plugins,
    }));
  });
  afterAll(async () => {
    await close();
    await llm.close();
    await web.close();
  });

  it('goes from POST /v1/runs to a completed run with every field filled', async () => {
    const submitted = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: auth,
      payload: { topic: 'The Arduino trademark dispute', language: 'en' },
    });
    expect(submitted.statusCode).toBe(202);
    const { id, status } = submitted.json() as { id: string; status: string };
    expect(status).toBe('queued');
    const run = (await waitForRun(app, id)) as unknown as Run;

    expect(run.status).toBe('completed');
    expect(run.keywords).toEqual(['Arduino', 'Trademark']);
    expect(run.wiki.map((entry) => entry.title).sort()).toEqual(['Arduino', 'Trademark']);
    expect(run.wiki[0]!.summary.split(/\s+/).length).toBeLessThanOrEqual(101);
    expect(run.sources.length).toBeGreaterThanOrEqual(3);
    for (const source of run.sources) {
      expect(source.url).toMatch(/\/pages\/[\w-]+\/$/);
      expect(source.summary.length).toBeGreaterThan(20);
      expect(source.query).toBeTruthy();
    }
    expect(run.sources.some((source) => source.url.endsWith('/irrelevant'))).toBe(false);
    expect(run.usage.calls).toBeGreaterThan(5);
    expect(run.usage.promptTokens).toBeGreaterThan(0);
    expect(run.usage.costUsd).toBeGreaterThan(0);
    expect(run.startedAt && run.finishedAt).toBeTruthy();

    // Every citation in the report resolves to a source of the run or one of its wiki articles; no other URL.
    const allowed = [...run.wiki.map((entry) => entry.url), ...run.sources.map((source) => source.url)];
    const references = [...run.report.matchAll(/^\[(\d+)\] .*?(https?:\/\/\S+)$/gm)].map((match) => ({
      number: Number(match[1]),
      url: match[2],
    }));
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(allowed).toContain(reference.url);
    const cited = [...run.report.matchAll(/\[(\d+)\](?!\()/g)].map((match) => Number(match[1]));
    for (const number of cited) expect(references.map((reference) => reference.number)).toContain(number);
    expect(run.report).not.toContain('[99]');
    expect(run.report).not.toContain('invented.example');
    expect(run.report).not.toContain('made-up.example');
    for (const url of run.report.match(/https?:\/\/\S+/g) ?? []) expect(allowed).toContain(url);

    // The problems of this web are in errors, and the run completed anyway.
    const messages = run.errors.map((error) => `${error.url ?? ''} ${error.message}`).join('\n');
    expect(messages).toMatch(/\/missing .*not found \(HTTP 404\)/);
    expect(messages).toMatch(/\/slow .*did not answer within 1500 ms/);
    expect(messages).toMatch(/169\.254\.169\.254.*link-local/);

    if (process.env.SHOW_REPORT)
      process.stderr.write(
        `${run.report}\n${JSON.stringify(run.errors, null, 1)}\n${JSON.stringify(run.sources.map((s) => [s.query, s.url]))}\n`,
      );
    const report = await app.inject({ url: `/v1/runs/${id}/report`, headers: auth });
    expect(report.headers['content-type']).toContain('text/markdown');
    expect(report.body).toBe(run.report);

    const events = (await services.events.replay(id)).map((event) => event.type);
    expect(events[0]).toBe('run-queued');
    expect(events).toEqual(
      expect.arrayContaining([
        'run-started',
        'action-start',
        'action-end',
        'llm-call',
        'message-published',
        'source-summarized',
        'run-completed',
      ]),
    );
    expect((await services.events.replay(id)).map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });
});
