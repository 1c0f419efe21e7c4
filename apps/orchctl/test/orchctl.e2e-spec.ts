import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '@orch/testing';
// The CLI's only job is to drive control-api: its e2e runs the real app in-process.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../control-api/src/app.definition';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { ControlApiConfig } from '../../control-api/src/config';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'apps', 'orchctl', 'main.js');
const BOOTSTRAP_TOKEN = 'orchctl-e2e-bootstrap-token-0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('orchctl (built CLI against control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let url: string;
  let home: string;
  let sessionFile: string;

  /** Runs dist/apps/orchctl/main.js as its own process, with only the environment given here. */
  function orchctl(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: home, ORCH_CONTROL_URL: url, ORCHCTL_SESSION_FILE: sessionFile, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.stdin ?? '');
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx nx build orchctl); the e2e target depends on build`);
    t = await startTestApp(controlApiApp, { env: { ORCH_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    home = mkdtempSync(join(tmpdir(), 'orchctl-e2e-'));
    sessionFile = join(home, 'state', 'session.json');
  });

  afterAll(async () => {
    await t?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const admin = { email: 'first-admin@example.test', password: 'a long enough password 42' };

  describe('the first-run flow: bootstrap → login → workspace → identity → token', () => {
    let workspaceId: string;
    let workspaceName: string;
    let credentials: { client_id: string; client_secret: string };

    it('has no session before login', async () => {
      const result = await orchctl(['workspace', 'list']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: not logged in: run `orchctl login --email <you>` first/);
    });

    it('bootstraps the first OperatorAdmin with the bootstrap token', async () => {
      const result = await orchctl(['bootstrap', '--email', admin.email, '--password-stdin'], { stdin: `${admin.password}\n`, env: { ORCH_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN } });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^OperatorAdmin created: ${admin.email} \\([0-9a-f-]{36}\\)\\nNext: orchctl login --email ${admin.email}\\n$`));
    });

    it('refuses a second bootstrap (CONFLICT), printing code and request id', async () => {
      const result = await orchctl(['bootstrap', '--email', 'second@example.test', '--password-stdin', '--bootstrap-token', BOOTSTRAP_TOKEN], { stdin: admin.password });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: CONFLICT: .+ \(request id [A-Za-z0-9._:-]+\)\n$/);
    });

    it('refuses a wrong password with UNAUTHENTICATED and saves nothing', async () => {
      const result = await orchctl(['login', '--email', admin.email, '--password-stdin'], { stdin: 'not the password' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: UNAUTHENTICATED: .+ \(request id [A-Za-z0-9._:-]+\)\n$/);
      expect(existsSync(sessionFile)).toBe(false);
    });

    it('logs in and keeps the session in a 0600 file', async () => {
      const result = await orchctl(['login', '--email', admin.email, '--password-stdin'], { stdin: `${admin.password}\n` });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toBe(`Logged in to ${url} as ${admin.email} [OperatorAdmin]; token valid 900 s, refreshed automatically.\n`);
      expect(statSync(sessionFile).mode & 0o777).toBe(0o600);
    });

    it('refuses a change without a reason before calling the API (exit 2)', async () => {
      const result = await orchctl(['workspace', 'create', 'no-reason-dev']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--reason is required/);
    });

    it('creates a workspace', async () => {
      workspaceName = `orchctl-${Date.now().toString(36)}-dev`;
      const result = await orchctl(['workspace', 'create', workspaceName, '--reason', 'orchctl e2e', '--json']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const workspace = JSON.parse(result.stdout) as { id: string; name: string };
      expect(workspace).toMatchObject({ id: expect.stringMatching(UUID), name: workspaceName });
      workspaceId = workspace.id;
    });

    it('passes the API refusal of a bad name through (VALIDATION_FAILED, exit 1)', async () => {
      const result = await orchctl(['workspace', 'create', 'wrong-env-prod', '--reason', 'orchctl e2e']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: VALIDATION_FAILED: /);
    });

    it('lists it', async () => {
      const result = await orchctl(['workspace', 'list']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^NAME +ID +CREATED\n/);
      expect(result.stdout).toContain(`${workspaceName}`);
      expect(result.stdout).toContain(workspaceId);
    });

    it('creates a service identity and prints its client secret once', async () => {
      const result = await orchctl(['identity', 'create', workspaceId, '--name', 'svc:orchctl-backend', '--audience', 'orchestrator-exec', '--scopes', 'execute,jobs:write', '--reason', 'orchctl e2e']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Service identity created: svc:orchctl-backend \([0-9a-f-]{36}\)\n/);
      expect(result.stdout).toMatch(/^scopes: +execute jobs:write$/m);
      expect(result.stdout).toMatch(/^client_id: +\S+$/m);
      expect(result.stdout).toMatch(/^client_secret: +\S+$/m);
      expect(result.stderr).toMatch(/shown only once/);
    });

    it('creates a control-audience identity (--json) for the token below', async () => {
      const result = await orchctl(['identity', 'create', workspaceId, '--name', 'svc:orchctl-tooling', '--audience', 'orchestrator-control', '--scopes', 'workspace:read', '--reason', 'orchctl e2e', '--json']);
      expect(result).toMatchObject({ code: 0 });
      const identity = JSON.parse(result.stdout) as { client_id: string; client_secret: string; audience: string; scopes: string[] };
      expect(identity).toMatchObject({ audience: 'orchestrator-control', scopes: ['workspace:read'] });
      credentials = identity;
    });

    it('mints a service token that carries the workspace and scope and opens that workspace', async () => {
      const result = await orchctl(['token', 'mint', '--client-id', credentials.client_id, '--client-secret-stdin'], { stdin: `${credentials.client_secret}\n` });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const token = result.stdout.trim();
      expect(result.stdout).toBe(`${token}\n`);
      expect(decodeJwt(token)).toMatchObject({ aud: 'orchestrator-control', tid: workspaceId, scope: 'workspace:read', typ: 'service' });
      const response = await fetch(`${url}/v1/workspaces/${workspaceId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: workspaceId, name: workspaceName });
    });

    it('prints the token response with --json', async () => {
      const result = await orchctl(['token', 'mint', '--client-id', credentials.client_id, '--client-secret', credentials.client_secret, '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), scope: 'workspace:read' });
    });

    it('refuses a wrong client secret with UNAUTHENTICATED', async () => {
      const result = await orchctl(['token', 'mint', '--client-id', credentials.client_id, '--client-secret-stdin'], { stdin: 'wrong-secret' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: UNAUTHENTICATED: .+ \(request id [A-Za-z0-9._:-]+\)\n$/);
    });

    it('imports the seed bundle: a dry run first, then for real, then exports it', async () => {
      const bundleFile = join(home, 'bundle.json');
      const name = `orchctl-bundle-${process.pid}-dev`;
      writeFileSync(
        bundleFile,
        JSON.stringify({
          tenant: { name },
          policies: [{ name: 'default', timeout_json: { total_ms: 5000 } }],
          secret_refs: [{ name: 'stripe_signing', ref: 'env://STRIPE_SIGNING_SECRET' }],
          connectors: [{ type: 'http', name: 'stripe', policy: 'default', secret_ref: 'stripe_signing' }],
          configs: [{ name: 'default', version: 'v1', data: { foo: 'bar' }, activate: true }],
        }),
      );
      const noReason = await orchctl(['bundle', 'import', bundleFile]);
      expect(noReason.code).toBe(2);
      expect(noReason.stderr).toMatch(/--reason is required/);

      const dry = await orchctl(['bundle', 'import', bundleFile, '--dry-run']);
      expect(dry.stderr).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`Dry run (nothing written): workspace ${name} (create)`);
      expect(dry.stdout).toContain('4 create, 1 update, 0 unchanged');
      expect(dry.stdout).toContain('  + connector stripe');
      expect(dry.stdout).toContain('      /timeout/total_ms: 15000 -> 5000');

      const applied = await orchctl(['bundle', 'import', bundleFile, '--reason', 'onboard buildos']);
      expect(applied.code).toBe(0);
      const id = new RegExp(`^Applied: workspace ${name} (\\S+) \\(create\\)`, 'm').exec(applied.stdout)?.[1] ?? '';
      expect(id).toMatch(UUID);

      const again = await orchctl(['bundle', 'import', bundleFile, '--reason', 'again']);
      expect(again.stdout).toContain('0 create, 0 update, 5 unchanged');

      const outFile = join(home, 'exported.json');
      const exported = await orchctl(['bundle', 'export', id, '--out', outFile]);
      expect(exported.code).toBe(0);
      const bundle = JSON.parse(readFileSync(outFile, 'utf8'));
      expect(bundle).toMatchObject({ tenant: { name }, connectors: [{ name: 'stripe', secret_ref: 'stripe_signing' }], configs: [{ name: 'default', version: 'v1', activate: true }] });
    });

    it('forgets the session on logout', async () => {
      expect((await orchctl(['logout'])).code).toBe(0);
      const result = await orchctl(['workspace', 'list']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/not logged in/);
    });
  });

  describe('keys generate', () => {
    it('writes a key that control-api loads', async () => {
      const dir = join(home, 'keys');
      const result = await orchctl(['keys', 'generate', '--dir', dir, '--kid', '2026-11-27-a']);
      expect(result.code).toBe(0);
      expect(readdirSync(dir)).toEqual(['2026-11-27-a.private.pem']);
      expect(statSync(join(dir, '2026-11-27-a.private.pem')).mode & 0o777).toBe(0o600);
      // Imported lazily, as the CLI does (the lint rule keeps @orch/auth lazy in this project).
      const { loadKeyRing } = await import('@orch/auth');
      expect(loadKeyRing({ dir, generateIfEmpty: false }).jwks().keys).toEqual([expect.objectContaining({ kid: '2026-11-27-a', alg: 'EdDSA', crv: 'Ed25519' })]);
    });
  });

  it('says when the control API is unreachable', async () => {
    const result = await orchctl(['token', 'mint', '--client-id', 'x', '--client-secret', 'y'], { env: { ORCH_CONTROL_URL: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot reach the control API at http:\/\/127\.0\.0\.1:9: /);
  });
});
