import request from 'supertest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { KeyRing } from '@orch/auth';
import { createTestOperator, createTestWorkspace, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import type { WorkspaceEntity } from '@orch/data';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
let counter = 0;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

interface Client {
  id: string;
  client_id: string;
  client_secret: string;
}

async function createClient(t: TestApp<ControlApiConfig>, admin: TestOperator, workspaceId: string, audience: 'orchestrator-exec' | 'orchestrator-control', scopes: string[]): Promise<Client> {
  const res = await request(t.server)
    .post(`/v1/workspaces/${workspaceId}/service-identities`)
    .set(bearer(admin.token))
    .send({ name: `svc:oauth${counter++}-backend`, audience, scopes, reason: 'oauth tests' })
    .expect(201);
  return res.body as Client;
}

describe('POST /v1/oauth/token (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let ws: WorkspaceEntity;
  let exec: Client;
  let control: Client;

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    ws = await createTestWorkspace(t.app);
    exec = await createClient(t, admin, ws.id, 'orchestrator-exec', ['execute', 'jobs:read', 'jobs:write']);
    control = await createClient(t, admin, ws.id, 'orchestrator-control', ['workspace:read', 'identities:read']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const token = () => request(t.server).post('/v1/oauth/token');

  function expectTokenResponse(res: request.Response, scope: string): void {
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  }

  it('accepts a form body (application/x-www-form-urlencoded)', async () => {
    const res = await token().type('form').send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret });
    expectTokenResponse(res, 'execute jobs:read jobs:write');
  });

  it('accepts a JSON body', async () => {
    const res = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret });
    expectTokenResponse(res, 'execute jobs:read jobs:write');
  });

  it('accepts HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
    const res = await token().type('form').set(basic(exec.client_id, exec.client_secret)).send({ grant_type: 'client_credentials' });
    expectTokenResponse(res, 'execute jobs:read jobs:write');
  });

  it('mints a token with the documented claims, signed by the active key', async () => {
    const res = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret, scope: 'execute' }).expect(200);
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header).toEqual({ alg: 'EdDSA', kid: t.app.get(KeyRing).active.kid, typ: 'JWT' });
    const jwks = await request(t.server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);

    const claims = decodeJwt(res.body.access_token);
    expect(claims).toEqual({
      typ: 'service',
      iss: t.config.ORCH_JWT_ISSUER,
      aud: 'orchestrator-exec',
      sub: exec.id,
      tid: ws.id,
      scope: 'execute',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(900);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    // A jti per token.
    const again = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret }).expect(200);
    expect(decodeJwt(again.body.access_token).jti).not.toBe(claims.jti);
  });

  it('grants a requested subset of scopes, in either body format', async () => {
    expectTokenResponse(await token().type('form').send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret, scope: 'jobs:read jobs:write' }), 'jobs:read jobs:write');
    const res = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret, scope: 'jobs:read' });
    expectTokenResponse(res, 'jobs:read');
    expect(decodeJwt(res.body.access_token).scope).toBe('jobs:read');
  });

  it('refuses a scope the identity does not hold with 400 on /scope', async () => {
    for (const scope of ['execute events:read', 'workspace:read', 'admin']) {
      const res = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret, scope }).expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: '/scope' })]);
    }
  });

  it('answers a wrong secret and an unknown client alike: 401 with the same message', async () => {
    const wrong = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: control.client_secret }).expect(401);
    const unknown = await token().send({ grant_type: 'client_credentials', client_id: 'ci_00000000000000000000000000000000', client_secret: exec.client_secret }).expect(401);
    const basicWrong = await token().set(basic(exec.client_id, 'cs_nope')).send({ grant_type: 'client_credentials' }).expect(401);
    for (const res of [wrong, unknown, basicWrong]) expectError(res.body, 'UNAUTHENTICATED');
    expect(new Set([wrong, unknown, basicWrong].map((r) => r.body.error.message)).size).toBe(1);
    expect(basicWrong.headers['www-authenticate']).toMatch(/^Basic /);
    expect(wrong.text).not.toContain(exec.client_secret);
  });

  it('answers missing or malformed credentials with 401', async () => {
    expectError((await token().send({ grant_type: 'client_credentials' }).expect(401)).body, 'UNAUTHENTICATED');
    expectError((await token().send({ grant_type: 'client_credentials', client_id: exec.client_id }).expect(401)).body, 'UNAUTHENTICATED');
    expectError((await token().set('authorization', 'Basic %%%').send({ grant_type: 'client_credentials' }).expect(401)).body, 'UNAUTHENTICATED');
  });

  it('refuses credentials sent both in Basic auth and in the body', async () => {
    const res = await token().set(basic(exec.client_id, exec.client_secret)).send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret }).expect(400);
    expectError(res.body, 'VALIDATION_FAILED');
  });

  it('refuses other grant types with 400 on /grant_type', async () => {
    for (const grant_type of ['password', 'authorization_code', 'refresh_token', undefined]) {
      const res = await token().type('form').send({ grant_type, client_id: exec.client_id, client_secret: exec.client_secret }).expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: '/grant_type' })]);
    }
  });

  it('refuses unknown parameters and repeated ones', async () => {
    expectError((await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret, audience: 'x' }).expect(400)).body, 'VALIDATION_FAILED');
    const repeated = await token().type('form').send(`grant_type=client_credentials&client_id=${exec.client_id}&client_id=${control.client_id}&client_secret=${exec.client_secret}`).expect(400);
    expect(new Set(repeated.body.error.details.map((d: { path: string }) => d.path))).toEqual(new Set(['/client_id']));
  });

  it('mints control-audience tokens that work on control-api within their scope and workspace', async () => {
    const res = await token().send({ grant_type: 'client_credentials', client_id: control.client_id, client_secret: control.client_secret }).expect(200);
    expect(decodeJwt(res.body.access_token)).toMatchObject({ aud: 'orchestrator-control', tid: ws.id, scope: 'workspace:read identities:read' });
    await request(t.server).get(`/v1/workspaces/${ws.id}`).set(bearer(res.body.access_token)).expect(200);
    const list = await request(t.server).get(`/v1/workspaces/${ws.id}/service-identities`).set(bearer(res.body.access_token)).expect(200);
    expect(list.body.data).toHaveLength(2);
    const other = await createTestWorkspace(t.app);
    await request(t.server).get(`/v1/workspaces/${other.id}`).set(bearer(res.body.access_token)).expect(404);
    await request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(res.body.access_token)).send({ settings: {}, reason: 'r' }).expect(403);
  });

  it('mints exec-audience tokens that control-api refuses with 401', async () => {
    const res = await token().send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret }).expect(200);
    expectError((await request(t.server).get(`/v1/workspaces/${ws.id}`).set(bearer(res.body.access_token)).expect(401)).body, 'UNAUTHENTICATED');
  });

  it('refuses a revoked identity with the same 401', async () => {
    const client = await createClient(t, admin, ws.id, 'orchestrator-exec', ['execute']);
    await token().send({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).expect(200);
    await request(t.server).post(`/v1/workspaces/${ws.id}/service-identities/${client.id}/revoke`).set(bearer(admin.token)).set('x-reason', 'gone').expect(200);
    const res = await token().send({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).expect(401);
    expectError(res.body, 'UNAUTHENTICATED');
    expect(res.body.error.message).toBe('Invalid client credentials');
  });

  it('is public: an invalid bearer token does not get in the way of Basic or body credentials', async () => {
    await token().set('authorization', 'Bearer nonsense').send({ grant_type: 'client_credentials', client_id: exec.client_id, client_secret: exec.client_secret }).expect(200);
  });
});

describe('POST /v1/oauth/token with ORCH_TOKEN_TTL_SECONDS', () => {
  let t: TestApp<ControlApiConfig>;

  beforeAll(async () => {
    t = await startTestApp(controlApiApp, { env: { ORCH_TOKEN_TTL_SECONDS: '120' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('issues tokens living that long', async () => {
    const admin = await createTestOperator(t.app, ['OperatorAdmin']);
    const ws = await createTestWorkspace(t.app);
    const client = await createClient(t, admin, ws.id, 'orchestrator-exec', ['execute']);
    const res = await request(t.server).post('/v1/oauth/token').send({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).expect(200);
    expect(res.body.expires_in).toBe(120);
    const claims = decodeJwt(res.body.access_token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
  });
});
