import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '@orch/testing';
import { consoleApp } from '../../server/app.definition';
import type { ConsoleConfig } from '../../server/config';
import { type FakeUpstream, startFakeUpstream } from '../fake-upstream';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const BUILT_SPA = join(WORKSPACE_ROOT, 'dist/apps/operator-console/spa');
const SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'tmp/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  failedRequests: string[];
}

/** Everything the page reports going wrong: console errors, exceptions, CSP violations, failed or 4xx/5xx requests. */
async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.cspViolations.push(text));
  // Injected by the browser, not the page, so the CSP does not apply to it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => Promise<void> }).__reportCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return problems;
}

/**
 * Without a session the SPA's `GET /api/session` answers 401 (the contract) and Chromium logs the
 * failed load; that one expected answer is not a problem, anything else is.
 */
function withoutSessionProbe(problems: PageProblems): PageProblems {
  const isProbe = (text: string) => /\/api\/session: 401$/.test(text);
  const isProbeLog = (text: string) => text.includes('401') && text.includes('Failed to load resource');
  return { ...problems, failedRequests: problems.failedRequests.filter((r) => !isProbe(r)), consoleErrors: problems.consoleErrors.filter((c) => !isProbeLog(c)) };
}

describe('operator console in Chromium', () => {
  let t: TestApp<ConsoleConfig>;
  let baseUrl: string;
  let browser: Browser;
  let controlApi: FakeUpstream;
  let execApi: FakeUpstream;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get install -y --no-install-recommends chromium`);
    }
    if (!existsSync(join(BUILT_SPA, 'index.html'))) {
      throw new Error(`${BUILT_SPA}/index.html is missing: build the SPA first (npx nx build-spa operator-console); the e2e-browser target depends on it`);
    }
    controlApi = await startFakeUpstream();
    execApi = await startFakeUpstream();
    t = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: BUILT_SPA, CONTROL_API_URL: controlApi.url, EXEC_API_URL: execApi.url } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await controlApi?.close();
    await execApi?.close();
  });

  it('shows the sign-in form and the status badge at /login, within the CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = await watchProblems(page);

    const response = await page.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' });

    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.title()).resolves.toBe('Orchestrator console');
    expect(await page.getByRole('banner').textContent()).toContain('Orchestrator console');

    const email = page.getByLabel('Email');
    const password = page.getByLabel('Password');
    expect(await email.getAttribute('type')).toBe('email');
    expect(await password.getAttribute('type')).toBe('password');
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);

    const badge = page.getByTestId('status-badge');
    await badge.filter({ hasText: 'All systems reachable' }).waitFor({ timeout: 10_000 });
    expect(await badge.getAttribute('data-tone')).toBe('ok');
    expect(await badge.textContent()).toContain('control-api: up');
    expect(await badge.textContent()).toContain('exec-api: up');

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-login.png'), fullPage: true });

    await email.fill('operator@example.com');
    await password.fill('typed');
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(false);

    expect(withoutSessionProbe(problems)).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [], failedRequests: [] });
    await context.close();
  });

  it('loads the SPA for a deep link and leads a visitor without a session to /login', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watchProblems(page);

    await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.goto(`${baseUrl}/no/such/page`, { waitUntil: 'networkidle' });
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);

    expect(withoutSessionProbe(problems)).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [], failedRequests: [] });
    await context.close();
  });

  it('shows an upstream that stops answering', async () => {
    await execApi.close();
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${baseUrl}/login`);

    const badge = page.getByTestId('status-badge');
    await badge.filter({ hasText: 'exec-api unreachable' }).waitFor({ timeout: 10_000 });
    expect(await badge.getAttribute('data-tone')).toBe('degraded');
    await context.close();
  });
});
