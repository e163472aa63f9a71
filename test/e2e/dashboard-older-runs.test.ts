import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../helpers/browser.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { writeStoredRuns } from '../helpers/stored-runs.js';

/** More than two of the dashboard's pages of 50, so that the button is needed twice and then goes. */
const STORED_RUNS = 120;

describe.skipIf(browserMissing !== undefined)('the dashboard run list in Chromium, with many runs stored', () => {
  let daemon: TestDaemon;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const topics = () => page.locator('tr[data-run] td.topic').allTextContents();

  beforeAll(async () => {
    daemon = await startTestDaemon(
      {
        // Never called: the runs are finished ones, written into the data dir before the start.
        providers: { llm: { type: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-unused' } },
        models: { default: 'llm/test-model' },
      },
      { beforeStart: (dataDir) => writeStoredRuns(dataDir, STORED_RUNS) },
    );
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    const login = await daemon.cli(['open', '--print']);
    await page.goto(login.stdout.trim());
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('shows the newest 50 runs first, and 50 older ones per click of "Show older runs" until none are left', async () => {
    const more = page.getByRole('button', { name: 'Show older runs' });
    await more.waitFor();
    const first = await topics();
    expect(first).toHaveLength(50);
    // writeStoredRuns numbers its runs from the oldest (0) to the newest.
    expect(first[0]).toContain(`number ${STORED_RUNS - 1}:`);
    expect(first[49]).toContain(`number ${STORED_RUNS - 50}:`);

    await more.click();
    await expect.poll(async () => (await topics()).length).toBe(100);
    await more.click();
    await expect.poll(async () => (await topics()).length).toBe(STORED_RUNS);

    const all = await topics();
    expect(all.at(-1)).toContain('number 0:');
    expect(new Set(all).size).toBe(STORED_RUNS);
    await expect(more.count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
});
