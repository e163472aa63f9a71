import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchChromium } from '../helpers/browser.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { startFixtureWeb, type FixtureWeb } from '../helpers/fixture-web.js';
import { startScriptedLlm, type ScriptedLlm } from '../helpers/scripted-llm.js';

/** Browser steps wait on a daemon doing real work on a shared machine: generous, and only reached on failure. */
const STEP_MS = 60_000;

/** Set AGENTD_SCREENSHOTS=1 to refresh docs/screenshots/ from this test. */
const SCREENSHOTS = process.env.AGENTD_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : undefined;

/** Hostile text a web page can carry: each piece would set `window.__xss` if it ever ran. */
const HOSTILE_TITLE =
  '<script>window.__xss="title-script"</script><img src=x onerror="window.__xss=\'title-img\'"> [Click me](javascript:window.__xss=\'title-link\') Hostile page';
const HOSTILE_TEXT =
  '<script>window.__xss="text-script"</script> This page says <img src=x onerror="window.__xss=\'text-img\'"> and links <a href="javascript:window.__xss=\'text-link\'">here</a>.';
const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const HOSTILE_PAGE = `<!doctype html><html><head><title>${escapeHtml(HOSTILE_TITLE)}</title></head><body><article><h1>${escapeHtml(HOSTILE_TITLE)}</h1><p>${escapeHtml(HOSTILE_TEXT)} ${'Rate limits are enforced per minute by providers. '.repeat(12)}</p></article></body></html>`;
/** What a model quoting that page could write into the report: raw HTML and a javascript: link in Markdown. */
const HOSTILE_MARKDOWN =
  'Quoted: <script>window.__xss="report-script"</script> <img src=x onerror="window.__xss=\'report-img\'"> and [a link](javascript:window.__xss=\'report-link\').';

describe.skipIf(browserMissing !== undefined)(
  'the dashboard in Chromium, against the daemon started by the CLI',
  () => {
    let llm: ScriptedLlm;
    let web: FixtureWeb;
    let daemon: TestDaemon;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];
    let runId = '';

    const watch = (watched: Page) => {
      watched.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`${message.type()}: ${message.text()}`);
      });
      watched.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      watched.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      return watched;
    };

    beforeAll(async () => {
      llm = await startScriptedLlm({
        keywords: ['Rate limits', 'Tokens'],
        latencyMs: 40,
        reportAppendix: HOSTILE_MARKDOWN,
      });
      web = await startFixtureWeb({
        faults: false,
        wikiTitles: { 'Rate limits': 'Rate limiting' },
        extraPages: [{ name: 'hostile', title: HOSTILE_TITLE, html: HOSTILE_PAGE }],
      });
      daemon = await startTestDaemon({
        providers: {
          llm: {
            type: 'openai',
            baseURL: llm.baseURL,
            apiKey: 'sk-dashboard-test',
            limits: { rpm: 600, tpm: 400_000 },
          },
        },
        models: { default: 'llm/test-model' },
        pricing: { 'llm/test-model': { input: 2, output: 8 } },
        budget: { totalUsd: 0.5 },
        plugins: web.plugins,
        cache: { llm: false },
      });
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
      page = watch(await context.newPage());
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await daemon?.stop();
      await llm?.close();
      await web?.close();
    });

    it(
      'logs in once through the URL of agentd open --print, into an HttpOnly SameSite=Strict cookie',
      async () => {
        const printed = await daemon.cli(['open', '--print']);
        expect(printed.code).toBe(0);
        const url = printed.stdout.trim();
        expect(url).toMatch(new RegExp(`^${daemon.url}/login\\?ticket=[\\w-]{40,}$`));

        // Not watched: a refused login answers 401, which Chromium logs as a failed load.
        const anonymous = await context.newPage();
        const refused = await anonymous.goto(`${daemon.url}/`);
        expect(refused?.status()).toBe(401);
        await expect(
          anonymous.getByRole('heading', { name: 'Log in to the agentd dashboard' }).isVisible(),
        ).resolves.toBe(true);
        await anonymous.close();

        const response = await page.goto(url);
        expect(response?.url()).toBe(`${daemon.url}/`);
        expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
        await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
        const [cookie] = await context.cookies();
        expect(cookie).toMatchObject({ name: 'agentd_session', httpOnly: true, sameSite: 'Strict' });
        expect(
          await page.evaluate(() => [
            document.cookie,
            localStorage.length,
            sessionStorage.length,
            document.documentElement.outerHTML,
          ]),
        ).toEqual(['', 0, 0, expect.not.stringContaining(daemon.token)]);

        const again = await context.newPage();
        expect((await again.goto(url))?.status()).toBe(401);
        await again.close();
      },
      STEP_MS,
    );

    it(
      'starts a run from the form and shows it complete live, without a reload',
      async () => {
        // The usage and limits views stay open in other tabs, to show that they follow the run too.
        const usage = watch(await context.newPage());
        await usage.goto(`${daemon.url}/usage`);
        await usage.getByText('No paid calls yet.').waitFor();
        const limits = watch(await context.newPage());
        await limits.goto(`${daemon.url}/limits`);
        await expect(limits.getByTestId('totals').textContent()).resolves.toContain('0 calls');

        await page.bringToFront();
        // The report waits until the page has shown the run running, so that "live" is not a race.
        const releaseReport = llm.hold('Report');
        await page.getByLabel('Topic').fill('How do LLM providers enforce rate limits?');
        await page.getByLabel('Budget (USD)').fill('0.25');
        await page.getByRole('button', { name: 'Start run' }).focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/runs\/[^/]+$/);
        runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
        await page.evaluate(() => Object.assign(window, { __sameDocument: true }));

        const status = page.getByTestId('run-status');
        try {
          await status.filter({ hasText: 'running' }).waitFor({ timeout: STEP_MS });
          await page
            .getByTestId('pages')
            .filter({ hasText: /^[1-9]\d* of / })
            .waitFor({ timeout: STEP_MS });
          await page.locator('.card').first().waitFor({ timeout: STEP_MS });
        } finally {
          releaseReport();
        }
        await status.filter({ hasText: 'completed' }).waitFor({ timeout: STEP_MS });
        expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
        await page.getByRole('heading', { name: 'Research report' }).waitFor();
        expect(await page.getByTestId('cost').textContent()).toMatch(/^\$0\.\d{4}$/);
        expect(await page.locator('.card').count()).toBeGreaterThanOrEqual(3);

        await usage.getByTestId('calls').filter({ hasNotText: /^0$/ }).waitFor();
        expect(await usage.locator('.chart canvas').count()).toBeGreaterThanOrEqual(2);
        expect(await usage.getByTestId('spent').textContent()).not.toBe('$0.0000');
        await limits
          .getByTestId('totals')
          .filter({ hasNotText: /^0 calls/ })
          .waitFor({ timeout: 10_000 });
        expect(await limits.getByTestId('requests').textContent()).toMatch(/^[1-9]\d* \/ 600$/);
        await shoot(usage, 'usage');
        await shoot(limits, 'limits');
        await usage.close();
        await limits.close();
      },
      4 * STEP_MS,
    );

    it(
      'links each citation of the report to its source card, and the card back to the source list',
      async () => {
        const citation = page.locator('.report a.citation').first();
        const target = (await citation.getAttribute('href')) as string;
        expect(target).toMatch(/^#(source|wiki)-\d+$/);
        await citation.click();
        expect(new URL(page.url()).hash).toBe(target);
        const card = page.locator(target);
        await expect(card.isVisible()).resolves.toBe(true);
        expect(await card.evaluate((element) => element.matches(':target'))).toBe(true);
        const number = (await citation.textContent())?.replace(/\D/g, '');
        const back = card.locator(`a[href="#ref-${number}"]`);
        await back.click();
        expect(
          await page.locator(`#ref-${number}`).evaluate((element) => element.closest('.references') !== null),
        ).toBe(true);
        await shoot(page, 'run');
      },
      STEP_MS,
    );

    it(
      'downloads the report as Markdown',
      async () => {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: 'Download Markdown' }).click(),
        ]);
        const report = await daemon.request<string>('GET', `/v1/runs/${runId}/report`);
        expect(download.suggestedFilename()).toBe(`agentd-report-${runId}.md`);
        expect(readFileSync(await download.path(), 'utf8')).toBe(report.text);
      },
      STEP_MS,
    );

    it(
      'shows the hostile page and report as text and runs none of it',
      async () => {
        const hostileCard = page.locator('.card', { hasText: 'Hostile page' });
        await expect(hostileCard.count()).resolves.toBe(1);
        expect(await hostileCard.locator('h3').textContent()).toContain(
          '<script>window.__xss="title-script"</script><img src=x onerror=',
        );
        expect(await hostileCard.locator('.summary').textContent()).toContain('<script>');
        const report = page.locator('.report');
        expect(await report.textContent()).toContain('<script>window.__xss="report-script"</script>');
        expect(
          await page.evaluate(() => ({
            xss: (window as { __xss?: unknown }).__xss,
            scriptsInContent: document.querySelectorAll('main script, main img, main iframe').length,
            javascriptLinks: [...document.querySelectorAll('a')].filter((anchor) =>
              anchor.getAttribute('href')?.trim().toLowerCase().startsWith('javascript:'),
            ).length,
            handlers: [...document.querySelectorAll('main *')].filter((element) =>
              [...element.attributes].some((attribute) => attribute.name.startsWith('on')),
            ).length,
            externalLinksWithoutRel: [...document.querySelectorAll('main a[href^="http"]')].filter(
              (anchor) => anchor.getAttribute('rel') !== 'noopener noreferrer',
            ).length,
          })),
        ).toEqual({ xss: undefined, scriptsInContent: 0, javascriptLinks: 0, handlers: 0, externalLinksWithoutRel: 0 });
        // The link text stays; only its target was dropped.
        expect(
          await report.getByText('a link', { exact: true }).evaluate((element) => element.getAttribute('href')),
        ).toBeNull();
      },
      STEP_MS,
    );

    it(
      'cancels a running run and resumes it from the list, which follows both live',
      async () => {
        const releaseReport = llm.hold('Report');
        await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Runs' }).click();
        // Choices half made in the start form, which the list's live updates must leave alone.
        await page.getByLabel('Language').fill('de');
        await page.getByLabel('wiki (Wikipedia background)').uncheck();
        const submitted = await daemon.request<{ id: string }>('POST', '/v1/runs', {
          topic: 'A run to cancel',
          team: ['extractor', 'researcher'],
        });
        const row = page.locator(`tr[data-run="${submitted.body.id}"]`);
        await page.getByRole('button', { name: 'Cancel run: A run to cancel' }).click();
        await row.locator('.status', { hasText: 'cancelled' }).waitFor();
        await page.getByRole('button', { name: 'Resume run: A run to cancel' }).click();
        await row.locator('.status', { hasText: /queued|running/ }).waitFor();
        releaseReport();
        await row.locator('.status', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
        expect(await page.getByLabel('Language').inputValue()).toBe('de');
        expect(await page.getByLabel('wiki (Wikipedia background)').isChecked()).toBe(false);
        expect(await page.getByLabel('researcher (search, read, report)').isChecked()).toBe(true);
      },
      STEP_MS,
    );

    it(
      'follows a run cancelled and resumed from its own page to its new end, without a reload',
      async () => {
        const releaseReport = llm.hold('Report');
        const submitted = await daemon.request<{ id: string }>('POST', '/v1/runs', {
          topic: 'A run resumed from its page',
          team: ['extractor', 'researcher'],
        });
        await page.goto(`${daemon.url}/runs/${encodeURIComponent(submitted.body.id)}`);
        await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
        const status = page.getByTestId('run-status');
        await status.filter({ hasText: 'running' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('button', { name: 'Cancel run: A run resumed from its page' }).click();
        await status.filter({ hasText: 'cancelled' }).waitFor();
        await page.getByRole('button', { name: 'Resume run: A run resumed from its page' }).click();
        releaseReport();
        await status.filter({ hasText: 'completed' }).waitFor({ timeout: STEP_MS });
        await page.getByRole('heading', { name: 'Research report' }).waitFor();
        expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
        await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Runs' }).click();
      },
      2 * STEP_MS,
    );

    it(
      'lists the run, works at phone width, and logged no console error',
      async () => {
        const row = page.locator(`tr[data-run="${runId}"]`);
        await row.waitFor();
        expect(await row.textContent()).toContain('completed');
        await shoot(page, 'runs');
        await page.setViewportSize({ width: 390, height: 844 });
        for (const view of ['/', `/runs/${runId}`, '/usage', '/limits']) {
          await page.goto(`${daemon.url}${view}`);
          await page.locator('main h1').first().waitFor();
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
            `no sideways scrolling at ${view}`,
          ).toBe(true);
        }
        expect(problems).toEqual([]);
      },
      STEP_MS,
    );
  },
);

const skipReason = browserMissing;
if (skipReason) {
  // The skip's name is the message: how to install Chromium.
  describe('the dashboard in Chromium', () => {
    it.skip(skipReason, () => undefined);
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
