import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { writeStoredRuns } from '../helpers/stored-runs.js';

const ids = (table: string) =>
  table
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0]);

describe('agentd runs, a page at a time', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startTestDaemon({}, { beforeStart: (dataDir) => writeStoredRuns(dataDir, 5) });
  });
  afterAll(async () => {
    await daemon.stop();
  });

  it('names the command for the next page with the same --limit, until no older run is left', async () => {
    const first = await daemon.cli(['runs', '--limit', '2']);
    expect(first.code).toBe(0);
    const page1 = ids(first.stdout);
    expect(page1).toHaveLength(2);
    expect(first.stderr).toBe(`older runs: agentd runs --limit 2 --before ${page1[1]}\n`);

    const second = await daemon.cli(['runs', '--limit', '2', '--before', page1[1] as string]);
    const page2 = ids(second.stdout);
    expect(page2).toHaveLength(2);
    expect(second.stderr).toBe(`older runs: agentd runs --limit 2 --before ${page2[1]}\n`);

    const last = await daemon.cli(['runs', '--limit', '2', '--before', page2[1] as string]);
    expect(ids(last.stdout)).toHaveLength(1);
    expect(last.stderr).toBe('');

    const all = await daemon.cli(['runs', '--all']);
    expect(ids(all.stdout)).toEqual([...page1, ...page2, ...ids(last.stdout)]);
  });

  it('keeps --json in the next page command of a JSON listing', async () => {
    const listed = await daemon.cli(['runs', '--limit', '3', '--json']);
    const runs = JSON.parse(listed.stdout) as Array<{ id: string }>;
    expect(runs).toHaveLength(3);
    expect(listed.stderr).toBe(`older runs: agentd runs --limit 3 --before ${runs[2]?.id} --json\n`);
  });
});
