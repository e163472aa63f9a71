import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Finished runs as a daemon leaves them, with a report and ten sources each (about 8 KB per record), their
 * summaries and events, ids time-ordered as the daemon makes them: in the layout of the store's schema
 * version 2.
 */
export function writeStoredRuns(dataDir: string, count: number): void {
  const store = path.join(dataDir, 'store');
  mkdirSync(path.join(store, 'runs'), { recursive: true });
  writeFileSync(
    path.join(store, 'meta.json'),
    JSON.stringify({ schemaVersion: 2, createdAt: new Date().toISOString() }),
  );
  const start = Date.now() - count * 60_000;
  for (let index = 0; index < count; index++) {
    const created = new Date(start + index * 60_000);
    const id = `${created.getTime().toString(36)}-${index.toString(16).padStart(10, '0')}`;
    const run = {
      id,
      topic: `Stored research topic number ${index}: how do rate limits work?`,
      language: 'en',
      status: 'completed',
      createdAt: created.toISOString(),
      startedAt: created.toISOString(),
      finishedAt: new Date(created.getTime() + 45_000).toISOString(),
      team: ['extractor', 'researcher', 'wiki'],
      keywords: ['rate limits', 'token bucket'],
      wiki: [{ title: 'Rate limiting', url: 'https://en.wikipedia.org/wiki/Rate_limiting', summary: 'x'.repeat(400) }],
      sources: Array.from({ length: 10 }, (_, source) => ({
        url: `https://example.org/${index}/${source}`,
        title: `Source ${source}`,
        query: 'rate limits',
        summary: 'y'.repeat(300),
      })),
      report: `# Report ${index}\n\n${'A paragraph of the report. '.repeat(120)}`,
      usage: { calls: 14, promptTokens: 30_000, completionTokens: 4_000, costUsd: 0.0069 },
      errors: [],
    };
    const folder = path.join(store, 'runs', id);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'run.json'), JSON.stringify(run));
    const summary = {
      id,
      topic: run.topic,
      language: 'en',
      status: 'completed',
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      costUsd: run.usage.costUsd,
      sourceCount: run.sources.length,
    };
    writeFileSync(path.join(folder, 'summary.json'), JSON.stringify(summary));
    const event = (seq: number, type: string, data: unknown) =>
      JSON.stringify({ seq, runId: id, at: run.createdAt, type, data });
    writeFileSync(
      path.join(folder, 'events.jsonl'),
      `${event(1, 'run-queued', { position: 1 })}\n${event(2, 'run-started', { resumed: false, stepsStored: 0, team: run.team })}\n`,
    );
  }
}
