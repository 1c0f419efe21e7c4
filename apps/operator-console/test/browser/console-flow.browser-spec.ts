import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { UpstreamHandler } from '@orch/testing';
import { BffClient } from './support/bff-client';
import { launchChromium, screenshot } from './support/chromium';
import { BOOTSTRAP_ADMIN, type ConsoleStack, startConsoleStack } from './support/console-stack';
import { NO_PROBLEMS, type PageProblems, watchProblems, withoutSessionProbe } from './support/problem-watcher';

const WORKSPACE = 'acme-e2e-dev';
const POLICY = 'echo-fast';
const CONNECTOR = 'echo-api';
const CONFIG = 'pricing';
const JWT = /eyJ[A-Za-z0-9_-]{10,}/;

/**
 * An operator's first session in the console, in Debian's Chromium against the real stack
 * (control-api with a bootstrap admin, exec-api, worker, BFF serving the built SPA, a fake
 * upstream on 127.0.0.1). The steps run in order and build on each other; each main screen is
 * saved under tmp/screenshots/console/ (docs/assets/console/ holds copies for the onboarding guide).
 */
describe('operator console flow in Chromium', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  let api: BffClient;
  let workspaceId: string;
  /** What the fake upstream answers for POST /echo: 200 echoing the body, or 500 while `failing`. */
  let failing = false;
  let auditor: { context: BrowserContext; page: Page; problems: PageProblems } | undefined;

  const echoUnlessFailing: UpstreamHandler = (request) => (failing ? { status: 500, body: { error: 'upstream broken' } } : { status: 200, body: { echoed: JSON.parse(request.body || '{}') as unknown } });
  const shot = (target: Page, name: string) => screenshot(target, `console/${name}`);
  const heading = (target: Page, name: string) => target.getByRole('heading', { name, level: 1, exact: true });
  const sidebar = (target: Page, label: string) => target.getByRole('complementary', { name: 'Navigation' }).getByRole('link', { name: label, exact: true });
  /** The <dd> after the <dt> `term` inside `scope`. */
  const fact = (scope: Locator, term: string) => scope.locator(`dt:text-is("${term}") + dd`);

  /** Fills the reason of the open dialog `title`, confirms, and waits for it to close (failing with its error notice if it shows one). */
  async function confirmWithReason(target: Page, title: string, reason: string, confirmLabel: string): Promise<void> {
    const dialog = target.getByRole('dialog', { name: title, exact: true });
    await dialog.getByLabel(/^Reason/).fill(reason);
    await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
    const failure = dialog.getByRole('alert');
    const outcome = await Promise.race([dialog.waitFor({ state: 'detached' }).then(() => 'closed' as const), failure.waitFor().then(() => 'failed' as const)]);
    if (outcome === 'failed') {
      const message = await failure.innerText();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      throw new Error(`dialog "${title}" refused: ${message}`);
    }
  }

  async function signIn(target: Page, email: string, password: string, screenshotName?: string): Promise<void> {
    await target.goto(`${stack.consoleUrl}/`);
    await target.getByRole('heading', { name: 'Sign in' }).waitFor();
    await target.getByLabel('Email').fill(email);
    await target.getByLabel('Password').fill(password);
    if (screenshotName) await shot(target, screenshotName);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await heading(target, 'Workspaces').waitFor();
  }

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startConsoleStack();
    stack.upstream.setHandler(echoUnlessFailing);
    admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await admin.newPage();
    page.setDefaultTimeout(15_000);
    problems = await watchProblems(page);
    api = new BffClient(admin, stack.consoleUrl);
  }, 120_000);
  afterAll(async () => {
    await auditor?.context.close();
    await admin?.close();
    await browser?.close();
    await stack?.close();
  }, 60_000);

  it('1. signs in as the bootstrap admin, creates a workspace with a reason and opens it', async () => {
    await signIn(page, BOOTSTRAP_ADMIN.email, BOOTSTRAP_ADMIN.password, '01-sign-in');
    expect(new URL(page.url()).pathname).toBe('/workspaces');

    await page.getByRole('button', { name: 'Create workspace' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create workspace' });
    await dialog.getByLabel('Name', { exact: true }).fill(WORKSPACE);
    await dialog.getByLabel(/^Reason/).fill('onboarding acme');
    await shot(page, '02-create-workspace');
    await confirmWithReason(page, 'Create workspace', 'onboarding acme', 'Create workspace');

    await heading(page, 'Workspace settings').waitFor();
    workspaceId = /\/w\/([0-9a-f-]{36})\/settings$/.exec(page.url())?.[1] ?? '';
    expect(workspaceId).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('dd', { hasText: workspaceId }).waitFor();
    await shot(page, '03-workspace-settings');

    await sidebar(page, 'Workspaces').click();
    await page.getByRole('link', { name: WORKSPACE, exact: true }).click();
    await heading(page, 'Connectors').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/w/${workspaceId}/connectors`);
    await expect(page.getByLabel('Workspace', { exact: true }).inputValue()).resolves.toBe(workspaceId);
  });

  it('2. creates a policy through the schema form, then an http connector through the form generated from the type’s config_schema', async () => {
    await sidebar(page, 'Policies').click();
    await heading(page, 'Policies').waitFor();
    await page.getByRole('link', { name: 'Create policy' }).click();
    await heading(page, 'Create policy').waitFor();
    await page.getByLabel('Name', { exact: true }).fill(POLICY);
    await page.getByLabel('Read timeout (ms)').fill('3000');
    await page.getByLabel('Total timeout (ms)').fill('8000');
    await page.getByLabel('Max attempts').fill('2');
    await shot(page, '04-policy-form');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await confirmWithReason(page, 'Create policy', 'fast policy for the echo API', 'Create policy');
    await heading(page, `Policy ${POLICY}`).waitFor();
    await expect(page.getByLabel('Total timeout (ms)').inputValue()).resolves.toBe('8000');
    await expect(page.getByLabel('Max attempts').inputValue()).resolves.toBe('2');

    await sidebar(page, 'Connectors').click();
    await page.getByRole('link', { name: 'Create connector' }).click();
    await heading(page, 'Create connector').waitFor();
    await page.getByLabel('Name', { exact: true }).fill(CONNECTOR);
    await page.getByLabel('Connector type').selectOption('http');
    await page.getByLabel('Policy').selectOption(POLICY);
    const configuration = page.getByRole('region', { name: 'Configuration' });
    await configuration.getByLabel('Base URL').fill(stack.upstream.url);
    const operations = configuration.getByRole('group', { name: 'Operations', exact: true });
    await operations.getByRole('button', { name: 'Add' }).click();
    await operations.getByLabel(/^operation_id/).fill('echo');
    await operations.getByLabel(/^method/).selectOption('POST');
    await operations.getByLabel(/^path/).fill('/echo');
    await shot(page, '05-connector-form');
    await configuration.getByRole('button', { name: 'Create connector' }).click();
    await confirmWithReason(page, 'Create connector', 'echo API for the playground', 'Create connector');

    await heading(page, `Connector ${CONNECTOR}`).waitFor();
    await expect(page.getByLabel('Policy').inputValue()).resolves.toBe(POLICY);
    await expect(configuration.getByLabel('Base URL').inputValue()).resolves.toBe(stack.upstream.url);
    await expect(configuration.getByLabel(/^path/).inputValue()).resolves.toBe('/echo');
    await sidebar(page, 'Connectors').click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: CONNECTOR, exact: true }) });
    await expect(row.innerText()).resolves.toMatch(new RegExp(`${CONNECTOR}\\s+http\\s+${POLICY}`));
    await shot(page, '06-connectors');
  });

  it('3. impersonates the workspace (banner shown) and runs the connector in the playground against the fake upstream', async () => {
    await sidebar(page, 'Playground').click();
    await heading(page, 'Execute playground').waitFor();
    await page.getByRole('button', { name: 'Act as this workspace' }).click();
    await confirmWithReason(page, `Act as workspace ${WORKSPACE}`, 'ticket 42: try the echo API', 'Start impersonating');
    const banner = page.getByRole('status').filter({ hasText: 'Impersonating workspace' });
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toContain(WORKSPACE);

    await page.getByLabel('Connector', { exact: true }).selectOption(CONNECTOR);
    await expect(page.getByLabel('Operation', { exact: true }).inputValue()).resolves.toBe('echo');
    await page.getByLabel('Payload (JSON)').fill('{"message": "hello from the console"}');
    stack.upstream.reset();
    stack.upstream.setHandler(echoUnlessFailing);
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    const result = page.getByRole('region', { name: 'Result' });
    await fact(result, 'Attempts').waitFor();
    await expect(fact(result, 'Status').innerText()).resolves.toBe('succeeded');
    await expect(fact(result, 'Attempts').innerText()).resolves.toBe('1');
    await expect(fact(result, 'Upstream status').innerText()).resolves.toBe('200');
    await expect(result.innerText()).resolves.toContain('hello from the console');
    expect(stack.upstream.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /echo {"message":"hello from the console"}']);
    await shot(page, '07-playground');
  });

  it('4. shows the execution events arriving in the live view while another execute runs', async () => {
    await sidebar(page, 'Live events').click();
    await heading(page, 'Live events').waitFor();
    await page.getByTestId('stream-status').filter({ hasText: 'live' }).waitFor();
    const log = page.getByRole('log', { name: 'Event stream' });

    // A second run, made as the page's own scripts would while the stream is open.
    const run = await api.mutate<{ execution_id: string; attempts: number }>('POST', '/api/exec/v1/execute', { connector: CONNECTOR, operation: 'echo', payload: { message: 'second run' } }, 'live events check');
    expect(run.status).toBe(200);
    const executionId = run.body.execution_id;

    // Lines name the execution by the first 8 characters of its id.
    const ofThisRun = { hasText: `exec ${executionId.slice(0, 8)}` };
    await log.locator('[data-event-type="execution.succeeded"]').filter(ofThisRun).waitFor();
    await expect(log.locator('[data-event-type="execution.started"]').filter(ofThisRun).count()).resolves.toBe(1);
    await expect(log.locator('[data-event-type="execution.succeeded"]').filter(ofThisRun).innerText()).resolves.toContain('"upstream_status":200');
    await shot(page, '08-live-events');
  });

  it('5. creates versions 1 and 2 of a config, activates 2, shows their diff and rolls back to 1', async () => {
    await sidebar(page, 'Configs').click();
    await heading(page, 'Configs').waitFor();
    await page.getByRole('button', { name: 'Create config' }).click();
    const create = page.getByRole('dialog', { name: 'Create config' });
    await create.getByLabel('Config name').fill(CONFIG);
    await create.getByLabel('Data (JSON object)').fill('{"currency": "EUR", "vat": 0.2}');
    await create.getByLabel('Activate this version now').check();
    await confirmWithReason(page, 'Create config', 'first pricing', 'Create version');
    // Creating a config opens it.
    await heading(page, `Config ${CONFIG}`).waitFor();
    const activeVersion = page.getByRole('region', { name: `Config ${CONFIG}` }).locator('p strong').first();
    await activeVersion.filter({ hasText: /^v1$/ }).waitFor();

    await page.getByRole('button', { name: 'Create version' }).click();
    await page.getByRole('dialog', { name: `Create version of ${CONFIG}` }).getByLabel('Data (JSON object)').fill('{"currency": "EUR", "vat": 0.21}');
    await confirmWithReason(page, `Create version of ${CONFIG}`, 'vat goes up', 'Create version');
    await page.getByRole('button', { name: 'Activate v2' }).click();
    await confirmWithReason(page, `Activate ${CONFIG} v2`, 'new vat from today', 'Activate');
    await page.getByRole('region', { name: `Config ${CONFIG}` }).getByText('rollback target: v1').waitFor();
    await activeVersion.filter({ hasText: /^v2$/ }).waitFor();

    await page.getByLabel('Compare v1').check();
    await page.getByLabel('Compare v2').check();
    const diff = page.getByLabel('Changes from v1 to v2');
    await expect(diff.locator('[data-diff="removed"]').allInnerTexts()).resolves.toEqual([expect.stringContaining('"vat": 0.2')]);
    await expect(diff.locator('[data-diff="added"]').allInnerTexts()).resolves.toEqual([expect.stringContaining('"vat": 0.21')]);
    await shot(page, '09-config-diff');

    await page.getByRole('button', { name: 'Roll back' }).click();
    await confirmWithReason(page, `Roll back ${CONFIG}`, 'vat change postponed', 'Roll back');
    await activeVersion.filter({ hasText: /^v1$/ }).waitFor();
    await shot(page, '10-config-rolled-back');
  });

  it('6. dead-letters a job whose upstream answers 500, replays it from the DLQ with a reason, and it succeeds', async () => {
    failing = true;
    const submitted = await api.mutate<{ id: string; max_attempts: number }>('POST', '/api/exec/v1/jobs', { connector: CONNECTOR, operation: 'echo', payload: { order: 1042 }, max_attempts: 1 }, 'dlq check');
    expect(submitted.status).toBe(202);
    expect(submitted.body.max_attempts).toBe(1);
    const jobId = submitted.body.id;

    await sidebar(page, 'Dead-letter queue').click();
    await heading(page, 'Dead-letter queue').waitFor();
    const select = page.getByLabel(`Select job ${jobId}`);
    // The worker dead-letters it after its one attempt; the list shows it on a reload.
    for (let tries = 0; !(await select.isVisible()) && tries < 30; tries++) {
      await page.waitForTimeout(500);
      await page.reload();
      await heading(page, 'Dead-letter queue').waitFor();
    }
    const row = page.getByRole('row').filter({ has: select });
    await expect(row.innerText()).resolves.toContain('upstream answered 500');
    await shot(page, '11-dlq');

    failing = false;
    await select.check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await confirmWithReason(page, 'Replay selected jobs', 'upstream fixed', 'Replay');
    await page.getByRole('status', { name: 'Result' }).getByText('Replayed 1 job.').waitFor();

    await page.goto(`${stack.consoleUrl}/w/${workspaceId}/jobs/${jobId}`);
    await heading(page, 'Job').waitFor();
    // The page polls while the job is queued or running.
    await fact(page.locator('main'), 'Status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await shot(page, '12-job-replayed');
  });

  it('7. shows the audit trail of the mutations with their reasons, and "verify: ok"', async () => {
    await sidebar(page, 'Audit log').click();
    await heading(page, 'Audit log').waitFor();
    const rows = page.getByRole('table', { name: /^Audit rows/ }).getByRole('row');
    await rows.nth(1).waitFor();
    const trail = (await rows.allInnerTexts()).join('\n');
    for (const [action, reason] of [
      ['workspace.create', 'onboarding acme'],
      ['policy.create', 'fast policy for the echo API'],
      ['connector.create', 'echo API for the playground'],
      ['impersonation.start', 'ticket 42: try the echo API'],
      ['config.create', 'first pricing'],
      ['config.create', 'vat goes up'],
      ['config.activate', 'new vat from today'],
      ['config.rollback', 'vat change postponed'],
      ['dlq.replay', 'upstream fixed'],
    ]) {
      expect(trail).toMatch(new RegExp(`${action.replace('.', '\\.')}[^\\n]*${reason}`));
    }
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByRole('status').filter({ hasText: 'verify: ok' }).waitFor();
    await shot(page, '13-audit-verify');
  });

  it('8. a ReadOnlyAuditor sees connectors, configs and the DLQ without create, edit or replay buttons, and the API refuses its mutation (403)', async () => {
    const email = `auditor-${randomBytes(3).toString('hex')}@example.com`;
    const password = `auditor-pw-${randomBytes(8).toString('hex')}`;
    const invited = await api.mutate<{ invite_token: string }>('POST', '/api/control/v1/operators', { email, roles: ['ReadOnlyAuditor'] }, 'auditor for the quarterly review');
    expect(invited.status).toBe(201);
    const accepted = await fetch(`${stack.controlUrl}/v1/auth/accept-invite`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite_token: invited.body.invite_token, password }),
    });
    expect(accepted.status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const auditorPage = await context.newPage();
    auditorPage.setDefaultTimeout(15_000);
    auditor = { context, page: auditorPage, problems: await watchProblems(auditorPage) };
    await signIn(auditorPage, email, password);
    expect(await auditorPage.getByRole('button', { name: 'Create workspace' }).count()).toBe(0);

    await auditorPage.goto(`${stack.consoleUrl}/w/${workspaceId}/connectors`);
    await heading(auditorPage, 'Connectors').waitFor();
    await auditorPage.getByRole('link', { name: CONNECTOR, exact: true }).waitFor();
    expect(await auditorPage.getByRole('link', { name: 'Create connector' }).count()).toBe(0);
    await shot(auditorPage, '14-auditor-connectors');

    // The name link opens the connector (the row's own click handler leaves links alone).
    await auditorPage.getByRole('link', { name: CONNECTOR, exact: true }).click();
    await heading(auditorPage, `Connector ${CONNECTOR}`).waitFor();
    const configuration = auditorPage.getByRole('region', { name: 'Configuration' });
    await expect(configuration.getByLabel('Base URL').inputValue()).resolves.toBe(stack.upstream.url);
    expect(await auditorPage.getByRole('button', { name: /^(Save|Delete) connector$/ }).count()).toBe(0);
    await expect(configuration.getByLabel('Base URL').isEditable()).resolves.toBe(false);
    await expect(auditorPage.getByLabel('Policy').isDisabled()).resolves.toBe(true);

    await auditorPage.goto(`${stack.consoleUrl}/w/${workspaceId}/configs/${CONFIG}`);
    await heading(auditorPage, `Config ${CONFIG}`).waitFor();
    await auditorPage.getByRole('table', { name: 'Versions' }).waitFor();
    expect(await auditorPage.getByRole('button', { name: /^(Create version|Roll back|Activate v\d+)$/ }).count()).toBe(0);
    await auditorPage.goto(`${stack.consoleUrl}/w/${workspaceId}/dlq`);
    await heading(auditorPage, 'Dead-letter queue').waitFor();
    await auditorPage.getByText('The dead-letter queue is empty for these filters.').waitFor();
    expect(await auditorPage.getByRole('button', { name: /^(Replay|Purge)/ }).count()).toBe(0);

    const forced = await new BffClient(context, stack.consoleUrl).mutate<{ error: { code: string } }>(
      'PATCH',
      `/api/control/v1/workspaces/${workspaceId}/connectors/${CONNECTOR}`,
      { config: { base_url: 'http://127.0.0.1:9/' } },
      'auditor tries to edit',
    );
    expect(forced.status).toBe(403);
    expect(forced.body.error.code).toBe('FORBIDDEN');
    const after = await api.get<{ config: { base_url: string } }>(`/api/control/v1/workspaces/${workspaceId}/connectors/${CONNECTOR}`);
    expect(after.body.config.base_url).toBe(stack.upstream.url);
  });

  it('9. leaves no token where page scripts can read it, and no CSP violation or page error in the whole flow', async () => {
    const sessions: Array<{ context: BrowserContext; page: Page; problems: PageProblems }> = [{ context: admin, page, problems }, ...(auditor ? [auditor] : [])];
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      const readable = await session.page.evaluate(() => ({
        cookie: document.cookie,
        local: JSON.stringify({ ...window.localStorage }),
        session: JSON.stringify({ ...window.sessionStorage }),
      }));
      // The session cookie is httpOnly: scripts see no cookie of the console at all.
      expect(readable.cookie).toBe('');
      for (const stored of [readable.local, readable.session]) {
        expect(stored).not.toMatch(JWT);
        expect(stored).not.toContain('eyJ');
        expect(stored.toLowerCase()).not.toMatch(/token|jwt|bearer/);
      }
      const cookies = await session.context.cookies();
      expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([{ name: 'orch_session', httpOnly: true, sameSite: 'Strict' }]);
      expect(withoutSessionProbe(session.problems)).toEqual(NO_PROBLEMS);
    }
  });
});
