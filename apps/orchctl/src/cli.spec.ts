import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, commandHelp, mainHelp, run } from './cli';
import { readSession, writeSession } from './session-file';
import { fakeIo } from './testing/fake-io';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A stand-in control API on loopback: each test sets how it answers. */
class StubApi {
  requests: Recorded[] = [];
  handler: (request: Recorded, response: ServerResponse) => void = (_, response) => response.end();
  private server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
      this.requests.push(recorded);
      this.handler(recorded, response);
    });
  });

  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

describe('orchctl', () => {
  const api = new StubApi();
  let dir: string;
  let sessionFile: string;
  const env = (): NodeJS.ProcessEnv => ({ ORCH_CONTROL_URL: api.url, ORCHCTL_SESSION_FILE: sessionFile });

  beforeAll(() => api.start());
  afterAll(() => api.stop());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orchctl-cli-'));
    sessionFile = join(dir, 'session.json');
    api.requests = [];
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('help and usage', () => {
    it('lists every command', async () => {
      const io = fakeIo();
      expect(await run(['--help'], io)).toBe(0);
      for (const command of COMMANDS) expect(io.stdout.join('\n')).toContain(command.name);
      expect(mainHelp()).toContain('Exit codes');
    });

    it.each(COMMANDS.map((c) => [c.name]))('has --help for %s', async (name) => {
      const io = fakeIo();
      expect(await run([...name.split(' '), '--help'], io)).toBe(0);
      const command = COMMANDS.find((c) => c.name === name);
      expect(command).toBeDefined();
      if (command) expect(io.stdout.join('\n')).toBe(commandHelp(command));
      expect(io.stdout.join('\n')).toMatch(new RegExp(`^Usage: orchctl ${name}`));
    });

    it('exits 2 on an unknown command, a missing subcommand, an unknown option or a missing argument', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['frobnicate'], /unknown command "frobnicate"/],
        [['workspace'], /workspace create/],
        [['workspace', 'delete'], /unknown subcommand "delete"/],
        [['login', '--email', 'a@b.c', '--bogus'], /Unknown option '--bogus'/],
        [['workspace', 'create', '--reason', 'x'], /needs <name>/],
        [['workspace', 'create', 'a-dev'], /--reason is required/],
        [['identity', 'create', 'not-a-uuid', '--name', 'svc:x', '--reason', 'r'], /must be a workspace UUID/],
        [['token', 'mint', '--client-secret', 's'], /--client-id is required/],
        [['token', 'mint', '--client-id', 'c', '--client-secret', 's', '--client-secret-stdin'], /not both/],
      ];
      for (const [argv, message] of cases) {
        const io = fakeIo({ env: env() });
        expect({ argv, code: await run(argv, io) }).toEqual({ argv, code: 2 });
        expect(io.stderr.join('\n')).toMatch(message);
      }
      expect(api.requests).toEqual([]);
    });
  });

  describe('errors from the API', () => {
    it('prints code, message, request id and field details on stderr, exit 1', async () => {
      api.handler = (_, response) =>
        json(response, 400, { error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', request_id: 'req-123456789', details: [{ path: '/client_id', message: 'must be a string' }] } });
      const io = fakeIo({ env: env() });
      expect(await run(['token', 'mint', '--client-id', 'c', '--client-secret', 's'], io)).toBe(1);
      expect(io.stderr.join('\n')).toBe('error: VALIDATION_FAILED: Request validation failed (request id req-123456789)\n  /client_id: must be a string');
      expect(io.stdout).toEqual([]);
    });

    it('prints the raw envelope with --json', async () => {
      const envelope = { error: { code: 'UNAUTHENTICATED', message: 'Invalid client credentials', request_id: 'req-123456789' } };
      api.handler = (_, response) => json(response, 401, envelope);
      const io = fakeIo({ env: env() });
      expect(await run(['token', 'mint', '--client-id', 'c', '--client-secret', 's', '--json'], io)).toBe(1);
      expect(JSON.parse(io.stderr.join(''))).toEqual(envelope);
    });

    it('says what it got when the answer is not an envelope', async () => {
      api.handler = (_, response) => {
        response.writeHead(502, { 'x-request-id': 'req-abcdefgh' });
        response.end('Bad Gateway');
      };
      const io = fakeIo({ env: env() });
      expect(await run(['token', 'mint', '--client-id', 'c', '--client-secret', 's'], io)).toBe(1);
      expect(io.stderr.join('\n')).toBe('error: HTTP_502: Bad Gateway (request id req-abcdefgh)');
    });

    it('says when the API cannot be reached', async () => {
      const io = fakeIo({ env: { ...env(), ORCH_CONTROL_URL: 'http://127.0.0.1:9' } });
      expect(await run(['token', 'mint', '--client-id', 'c', '--client-secret', 's'], io)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(/^error: cannot reach the control API at http:\/\/127\.0\.0\.1:9: /);
    });
  });

  describe('token mint', () => {
    it('posts client credentials and prints only the token; the secret may come from stdin', async () => {
      api.handler = (_, response) => json(response, 200, { access_token: 'h.p.s', token_type: 'Bearer', expires_in: 900, scope: 'execute' });
      const io = fakeIo({ env: env(), stdin: 'ocs_secret\n' });
      expect(await run(['token', 'mint', '--client-id', 'oci_1', '--client-secret-stdin', '--scope', 'execute'], io)).toBe(0);
      expect(io.stdout).toEqual(['h.p.s']);
      expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/v1/oauth/token', body: { grant_type: 'client_credentials', client_id: 'oci_1', client_secret: 'ocs_secret', scope: 'execute' } });
      expect(api.requests[0].headers.authorization).toBeUndefined();
    });
  });

  describe('operator session', () => {
    const login = { access_token: 'op.token.1', token_type: 'Bearer', expires_in: 900, refresh_token: 'ort_1', operator: { id: 'op-1', email: 'ada@example.com', roles: ['OperatorAdmin'] } };

    it('login keeps the session (0600) and later commands send its token to the same API', async () => {
      api.handler = (request, response) => (request.url === '/v1/auth/login' ? json(response, 200, login) : json(response, 201, { id: 'ws-1', name: 'acme-dev' }));
      const io = fakeIo({ env: env(), stdin: 'pw\n' });
      expect(await run(['login', '--email', 'ada@example.com', '--password-stdin'], io)).toBe(0);
      expect(io.stdout.join('\n')).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+ as ada@example\.com \[OperatorAdmin\]; token valid 900 s, refreshed automatically\.$/);
      expect(api.requests[0].body).toEqual({ email: 'ada@example.com', password: 'pw' });
      expect(readSession(sessionFile)).toMatchObject({ url: api.url, access_token: 'op.token.1', refresh_token: 'ort_1' });

      const create = fakeIo({ env: env() });
      expect(await run(['workspace', 'create', 'acme-dev', '--reason', 'new customer'], create)).toBe(0);
      expect(create.stdout).toEqual(['Workspace created: acme-dev ws-1']);
      expect(api.requests[1]).toMatchObject({ method: 'POST', url: '/v1/workspaces', body: { name: 'acme-dev' } });
      expect(api.requests[1].headers).toMatchObject({ authorization: 'Bearer op.token.1', 'x-reason': 'new customer' });
    });

    it('explains what to do without a session, and sends nothing', async () => {
      const io = fakeIo({ env: env() });
      expect(await run(['workspace', 'list'], io)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(/^error: not logged in: run `orchctl login --email <you>` first/);
      expect(api.requests).toEqual([]);
    });

    it('never sends the session token to another URL', async () => {
      writeSession(sessionFile, { url: 'http://127.0.0.1:1', access_token: 'op.token.1', expires_at: new Date(Date.now() + 600_000).toISOString() });
      const io = fakeIo({ env: env() });
      expect(await run(['workspace', 'list'], io)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(/the saved session belongs to http:\/\/127\.0\.0\.1:1/);
      expect(api.requests).toEqual([]);
    });

    it('refreshes an expired access token first, and keeps the new pair', async () => {
      writeSession(sessionFile, { url: api.url, access_token: 'op.token.old', refresh_token: 'ort_1', expires_at: new Date(Date.now() - 1000).toISOString() });
      api.handler = (request, response) =>
        request.url === '/v1/auth/refresh' ? json(response, 200, { ...login, access_token: 'op.token.2', refresh_token: 'ort_2' }) : json(response, 200, { data: [{ id: 'ws-1', name: 'acme-dev', created_at: '2026-01-01T00:00:00.000Z' }], next_cursor: null });
      const io = fakeIo({ env: env() });
      expect(await run(['workspace', 'list'], io)).toBe(0);
      expect(api.requests.map((r) => r.url)).toEqual(['/v1/auth/refresh', '/v1/workspaces?limit=200']);
      expect(api.requests[0].body).toEqual({ refresh_token: 'ort_1' });
      expect(api.requests[1].headers.authorization).toBe('Bearer op.token.2');
      expect(readSession(sessionFile)).toMatchObject({ access_token: 'op.token.2', refresh_token: 'ort_2' });
      expect(io.stdout.join('\n')).toContain('acme-dev');
    });

    it('refreshes once and retries when a live-looking token is refused', async () => {
      writeSession(sessionFile, { url: api.url, access_token: 'op.token.revoked', refresh_token: 'ort_1', expires_at: new Date(Date.now() + 600_000).toISOString() });
      api.handler = (request, response) => {
        if (request.url === '/v1/auth/refresh') return json(response, 200, { ...login, access_token: 'op.token.2', refresh_token: 'ort_2' });
        if (request.headers.authorization === 'Bearer op.token.revoked') return json(response, 401, { error: { code: 'UNAUTHENTICATED', message: 'Missing, invalid or expired token', request_id: 'r-12345678' } });
        return json(response, 200, { data: [], next_cursor: null });
      };
      const io = fakeIo({ env: env() });
      expect(await run(['workspace', 'list'], io)).toBe(0);
      expect(api.requests.map((r) => r.url)).toEqual(['/v1/workspaces?limit=200', '/v1/auth/refresh', '/v1/workspaces?limit=200']);
      expect(io.stdout).toEqual(['No workspaces.']);
    });

    it('asks for a new login when the refresh token is refused', async () => {
      writeSession(sessionFile, { url: api.url, access_token: 'op.token.old', refresh_token: 'ort_spent', expires_at: new Date(Date.now() - 1000).toISOString() });
      api.handler = (_, response) => json(response, 401, { error: { code: 'UNAUTHENTICATED', message: 'Invalid refresh token', request_id: 'r-12345678' } });
      const io = fakeIo({ env: env() });
      expect(await run(['workspace', 'list'], io)).toBe(1);
      expect(io.stderr.join('\n')).toBe('error: the session has expired (UNAUTHENTICATED): run `orchctl login` again');
    });

    it('logout forgets the session', async () => {
      writeSession(sessionFile, { url: api.url, access_token: 't', expires_at: new Date().toISOString() });
      const io = fakeIo({ env: env() });
      expect(await run(['logout'], io)).toBe(0);
      expect(readSession(sessionFile)).toBeUndefined();
    });
  });

  describe('identity create', () => {
    it('sends name, audience and scopes with the reason, and prints the secret once', async () => {
      writeSession(sessionFile, { url: api.url, access_token: 'op.token.1', expires_at: new Date(Date.now() + 600_000).toISOString() });
      const workspaceId = '11111111-1111-4111-8111-111111111111';
      api.handler = (_, response) =>
        json(response, 201, { id: 'id-1', name: 'svc:x-backend', client_id: 'oci_1', client_secret: 'ocs_1', audience: 'orchestrator-exec', scopes: ['execute', 'jobs:write'], created_at: '2026-01-01T00:00:00.000Z' });
      const io = fakeIo({ env: env() });
      expect(await run(['identity', 'create', workspaceId, '--name', 'svc:x-backend', '--scopes', 'execute, jobs:write', '--reason', 'onboarding'], io)).toBe(0);
      expect(api.requests[0]).toMatchObject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/service-identities`, body: { name: 'svc:x-backend', audience: 'orchestrator-exec', scopes: ['execute', 'jobs:write'] } });
      expect(io.stdout).toContain('client_id:     oci_1');
      expect(io.stdout).toContain('client_secret: ocs_1');
      expect(io.stderr.join('\n')).toMatch(/shown only once/);
    });
  });

  describe('keys generate', () => {
    it('writes a key control-api can load, and refuses to overwrite it', async () => {
      const keys = join(dir, 'keys');
      const io = fakeIo();
      expect(await run(['keys', 'generate', '--dir', keys, '--kid', '2026-11-27-a'], io)).toBe(0);
      const { loadKeyRing } = await import('@orch/auth');
      expect(loadKeyRing({ dir: keys, generateIfEmpty: false }).active.kid).toBe('2026-11-27-a');
      const again = fakeIo();
      expect(await run(['keys', 'generate', '--dir', keys, '--kid', '2026-11-27-a'], again)).toBe(1);
      expect(again.stderr.join('\n')).toMatch(/already exists/);
    });
  });
});
