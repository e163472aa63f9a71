import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one. */
export const CHROMIUM = process.env.AGENTD_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests are skipped, or undefined when Chromium is there. */
export const browserMissing = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM}: the dashboard's browser tests are skipped (install it with: apt-get install -y chromium)`;

/**
 * Launches headless Chromium as the tests need it: no sandbox (root in CI), no GPU, and nothing that talks
 * to the network on its own. Playwright gives it a fresh temporary profile (`--user-data-dir`) per launch.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
