import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../../..');
/** What `vite build` (the build-spa target) writes; the BFF serves it through CONSOLE_SPA_DIR. */
export const BUILT_SPA = join(WORKSPACE_ROOT, 'dist/apps/operator-console/spa');
/** Screenshots of the browser tests (the test output; docs/assets/console/ holds copies). */
export const SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'tmp/screenshots');
/** Debian's Chromium: `.ci/run` installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';
/** No sandbox (CI runs as root), and none of Chromium's own calls home: the tests reach loopback only. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Fails with the fix when Chromium or the built SPA is missing. */
export function assertBrowserPrerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get install -y --no-install-recommends chromium`);
  }
  if (!existsSync(join(BUILT_SPA, 'index.html'))) {
    throw new Error(`${BUILT_SPA}/index.html is missing: build the SPA first (npx nx build-spa operator-console); the e2e-browser target depends on it`);
  }
}

export async function launchChromium(): Promise<Browser> {
  assertBrowserPrerequisites();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A full-page screenshot at tmp/screenshots/<name>.png (`name` may hold a sub-folder: `console/01-login`). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  mkdirSync(join(path, '..'), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
