/**
 * Headless Chromium for the end-to-end tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven
 * by playwright-core. Never a browser download. Only the page's own origin is reachable: every other
 * request (the Playground's web fonts on a CDN, say) is aborted, so the tests run offline.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
];

/**
 * Mocha guard for a suite that needs Chromium: in CI a missing browser fails with a clear message,
 * elsewhere the suite is skipped and says so.
 */
export function requireChromium(ctx: Mocha.Context, what: string): void {
  if (existsSync(CHROMIUM_PATH)) {
    return;
  }
  const msg = `${what}: Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') {
    throw new Error(`${msg}. CI must run the browser tests.`);
  }
  console.log(`    SKIPPED ${msg}`);
  ctx.skip();
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh headless browser (own profile dir, removed on close) with one page limited to `origins`. */
export async function launchBrowser(origins: string[], opts: { locale?: string; timezoneId?: string } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tj-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 1000 },
    locale: opts.locale ?? 'sv-SE',
    timezoneId: opts.timezoneId ?? 'Europe/Stockholm'
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const allowed = origins.map((o) => new URL(o).origin);
    await page.route('**/*', (route) => {
      const u = route.request().url();
      const ok = allowed.some((o) => u === o || u.startsWith(`${o}/`)) || u.startsWith('data:') || u.startsWith('blob:');
      return ok ? route.continue() : route.abort('blockedbyclient');
    });
    return {
      context,
      page,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      }
    };
  } catch (err) {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
