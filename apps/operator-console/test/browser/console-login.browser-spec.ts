import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '@orch/testing';
import { consoleApp } from '../../server/app.definition';
import type { ConsoleConfig } from '../../server/config';
import { type FakeUpstream, startFakeUpstream } from '../fake-upstream';
import { assertBrowserPrerequisites, BUILT_SPA, launchChromium, screenshot } from './support/chromium';
import { NO_PROBLEMS, watchProblems, withoutSessionProbe } from './support/problem-watcher';

describe('operator console in Chromium', () => {
  let t: TestApp<ConsoleConfig>;
  let baseUrl: string;
  let browser: Browser;
  let controlApi: FakeUpstream;
  let execApi: FakeUpstream;

  beforeAll(async () => {
    assertBrowserPrerequisites();
    controlApi = await startFakeUpstream();
    execApi = await startFakeUpstream();
    t = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: BUILT_SPA, CONTROL_API_URL: controlApi.url, EXEC_API_URL: execApi.url } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
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

    await screenshot(page, 'console-login');

    await email.fill('operator@example.com');
    await password.fill('typed');
    expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(false);

    expect(withoutSessionProbe(problems)).toEqual(NO_PROBLEMS);
    await context.close();
  });

  it('loads the SPA for a deep link and leads a visitor without a session to /login', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watchProblems(page);

    // The redirect follows the session probe's 401, which may come after the network went idle once.
    await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
    await page.waitForURL(`${baseUrl}/login`);

    await page.goto(`${baseUrl}/no/such/page`, { waitUntil: 'networkidle' });
    await page.waitForURL(`${baseUrl}/login`);
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);

    expect(withoutSessionProbe(problems)).toEqual(NO_PROBLEMS);
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
