import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium unless `TESSERA_CHROMIUM` names another binary. */
export function chromiumPath(): string {
  return process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';
}

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumUnavailableReason(): string | null {
  const bin = chromiumPath();
  return existsSync(bin) ? null : `no Chromium at ${bin} (apt-get install chromium, or set TESSERA_CHROMIUM)`;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile (playwright makes one per launch and removes it). Background networking, component updates, sync and QUIC are off: on a
 * machine without internet, Chromium otherwise stalls on DNS lookups for its own services.
 */
export async function launchChromium(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}
