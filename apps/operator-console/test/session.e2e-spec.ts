import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { KeyRing } from '@orch/auth';
import { OperatorEntity } from '@orch/data';
import { type AppDefinition, REDIS_CLIENT } from '@orch/platform';
import { createTestOperator, operatorToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
// The BFF must verify real operator tokens through control-api's JWKS over HTTP: control-api runs in-process, not a stub of it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../control-api/src/app.definition';
import { consoleApp } from '../server/app.definition';
import type { ConsoleConfig } from '../server/config';
import { generateOpaqueId, sessionKeyOf } from '../server/session/session-cookie';
import type { StoredSession } from '../server/session/session.store';

type ControlApiConfig = typeof controlApiApp extends AppDefinition<infer C> ? C : never;

const FIXTURE_SPA = join(__dirname, 'fixtures', 'spa');
const HOUR_MS = 60 * 60 * 1000;

function expectUnauthenticated(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), request_id: res.headers['x-request-id'] } });
}

/** The `name=value` part of the session cookie a response sets. */
function sessionCookieOf(res: request.Response): string {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('orch_session='));
  if (!header) throw new Error('no orch_session cookie set');
  return header.split(';')[0];
}

describe('operator-console BFF: the operator session', () => {
  let control: TestApp<ControlApiConfig>;
  let bff: TestApp<ConsoleConfig>;
  let bffRedis: Redis;
  let operator: TestOperator;

  const login = (email: string, password: string) => request(bff.server).post('/api/session').send({ email, password });
  const getSession = (cookie?: string) => (cookie ? request(bff.server).get('/api/session').set('cookie', cookie) : request(bff.server).get('/api/session'));

  async function loggedIn(who: TestOperator = operator): Promise<{ cookie: string; csrf: string; sessionId: string }> {
    const res = await login(who.email, who.password).expect(200);
    const cookie = sessionCookieOf(res);
    return { cookie, csrf: res.body.csrf_token as string, sessionId: cookie.split('=')[1] };
  }

  async function stored(sessionId: string): Promise<StoredSession | undefined> {
    const raw = await bffRedis.get(sessionKeyOf(sessionId));
    return raw === null ? undefined : (JSON.parse(raw) as StoredSession);
  }

  async function store(sessionId: string, session: StoredSession): Promise<void> {
    await bffRedis.set(sessionKeyOf(sessionId), JSON.stringify(session), 'EX', 600);
  }

  beforeAll(async () => {
    control = await startTestApp(controlApiApp);
    await control.app.listen({ port: 0, host: '127.0.0.1' });
    const controlUrl = `http://127.0.0.1:${(control.app.getHttpServer().address() as AddressInfo).port}`;
    operator = await createTestOperator(control.app, ['Support']);
    bff = await startTestApp(consoleApp, {
      database: false,
      env: { CONTROL_API_URL: controlUrl, ORCH_JWKS_URL: `${controlUrl}/.well-known/jwks.json`, CONSOLE_SPA_DIR: FIXTURE_SPA },
    });
    bffRedis = bff.app.get<Redis>(REDIS_CLIENT);
  });
  afterAll(async () => {
    await bff?.close();
    await control?.close();
  });

  describe('POST /api/session', () => {
    it('logs in through control-api: 200 with the operator and a CSRF token, and an httpOnly SameSite=Strict cookie', async () => {
      const res = await login(operator.email, operator.password).expect(200);
      expect(res.body).toEqual({ operator: { id: operator.id, email: operator.email, roles: ['Support'] }, csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(res.headers['cache-control']).toBe('no-store');

      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      expect(cookie).toHaveLength(1);
      const attributes = cookie[0].split(';').map((part) => part.trim());
      expect(attributes[0]).toMatch(/^orch_session=[A-Za-z0-9_-]{43}$/);
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${bff.config.CONSOLE_SESSION_TTL_SECONDS}`]));
      expect(attributes).not.toContain('Secure'); // ORCH_ENV=test and CONSOLE_COOKIE_SECURE unset
    });

    it('never hands a token to the browser', async () => {
      const res = await login(operator.email, operator.password).expect(200);
      expect(res.body).not.toHaveProperty('access_token');
      expect(res.body).not.toHaveProperty('refresh_token');
      expect(res.text).not.toContain('eyJ');
      expect(res.text).not.toMatch(/"rt_/);
      expect(JSON.stringify(res.headers)).not.toContain('eyJ');
    });

    it('keeps the tokens server-side in Redis under the hash of the session id, with the session TTL', async () => {
      const { sessionId, csrf } = await loggedIn();
      const session = await stored(sessionId);
      expect(session).toEqual({
        access_token: expect.stringMatching(/^eyJ/),
        refresh_token: expect.any(String),
        operator: { id: operator.id, email: operator.email, roles: ['Support'] },
        expires_at: expect.any(String),
        csrf_token: csrf,
      });
      expect(Date.parse(session?.expires_at ?? '')).toBeGreaterThan(Date.now());
      expect(await bffRedis.exists(`console:session:${sessionId}`)).toBe(0);
      const ttl = await bffRedis.ttl(sessionKeyOf(sessionId));
      expect(ttl).toBeGreaterThan(bff.config.CONSOLE_SESSION_TTL_SECONDS - 10);
      expect(ttl).toBeLessThanOrEqual(bff.config.CONSOLE_SESSION_TTL_SECONDS);
    });

    it("passes control-api's 401 envelope through on a wrong password, and sets no cookie", async () => {
      const res = await login(operator.email, 'not-the-password');
      expectUnauthenticated(res);
      expect(res.body.error.message).toBe('Invalid email or password');
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it("passes control-api's 400 through for an email it refuses", async () => {
      const res = await login('not-an-email', 'whatever').expect(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', request_id: res.headers['x-request-id'] });
    });

    it('refuses a body without email and password itself (400)', async () => {
      const res = await request(bff.server).post('/api/session').send({ email: operator.email }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it("passes control-api's throttle through: the 6th bad login of an account is 429 with retry-after", async () => {
      const victim = await createTestOperator(control.app, ['Support']);
      for (let i = 0; i < 5; i += 1) expectUnauthenticated(await login(victim.email, `wrong-${i}`));
      const res = await login(victim.email, 'wrong-again').expect(429);
      expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.any(String), request_id: res.headers['x-request-id'] });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Throttled even with the right password, through the BFF as directly.
      await login(victim.email, victim.password).expect(429);
    });
  });

  describe('GET /api/session', () => {
    it('answers the operator, the CSRF token and the token expiry for the cookie', async () => {
      const { cookie, csrf, sessionId } = await loggedIn();
      const res = await getSession(cookie).expect(200);
      expect(res.body).toEqual({ operator: { id: operator.id, email: operator.email, roles: ['Support'] }, csrf_token: csrf, expires_at: (await stored(sessionId))?.expires_at, impersonation: null });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain('eyJ');
    });

    it('is 401 without a cookie, and with an unknown or malformed one', async () => {
      expectUnauthenticated(await getSession());
      expectUnauthenticated(await getSession(`orch_session=${generateOpaqueId()}`));
      expectUnauthenticated(await getSession('orch_session=../../etc'));
    });

    it('is 401 (and the session is deleted) when the stored token was signed by another key: it is verified through the JWKS', async () => {
      const { kid } = control.app.get(KeyRing).active;
      const now = Math.floor(Date.now() / 1000);
      const claims = { typ: 'operator', iss: control.config.ORCH_JWT_ISSUER, aud: 'orchestrator-control', sub: operator.id, roles: ['OperatorAdmin'], iat: now, exp: now + 600, jti: randomUUID() };
      const session = (token: string): StoredSession => ({
        access_token: token,
        refresh_token: 'rt_not-a-real-refresh-token',
        operator: { id: operator.id, email: operator.email, roles: ['OperatorAdmin'] },
        expires_at: new Date((now + 600) * 1000).toISOString(),
        csrf_token: generateOpaqueId(),
      });

      // Control: the same claims signed with control-api's real key pass, so the refusal below is the signature.
      const genuineId = generateOpaqueId();
      await store(genuineId, session(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' }).sign(control.app.get(KeyRing).active.privateKey)));
      const genuine = await getSession(`orch_session=${genuineId}`).expect(200);
      expect(genuine.body.operator.roles).toEqual(['OperatorAdmin']);

      const forgedId = generateOpaqueId();
      const { privateKey } = generateKeyPairSync('ed25519');
      await store(forgedId, session(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' }).sign(privateKey)));
      const res = await getSession(`orch_session=${forgedId}`);
      expectUnauthenticated(res);
      expect(sessionCookieOf(res)).toBe('orch_session=');
      expect(await stored(forgedId)).toBeUndefined();
    });

    it('is 401 when the stored token is a service token, not an operator token', async () => {
      const id = generateOpaqueId();
      const issued = await operatorToken(control.app, operator.id, ['Support']);
      // Same key and audience, but typ service: refused by the shape check.
      const { kid, privateKey } = control.app.get(KeyRing).active;
      const now = Math.floor(Date.now() / 1000);
      const service = await new SignJWT({ typ: 'service', iss: control.config.ORCH_JWT_ISSUER, aud: 'orchestrator-control', sub: randomUUID(), tid: randomUUID(), scope: 'workspace:read', iat: now, exp: now + 600, jti: randomUUID() })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .sign(privateKey);
      const base: StoredSession = { access_token: issued, refresh_token: 'rt_x', operator: { id: operator.id, email: operator.email, roles: ['Support'] }, expires_at: new Date(Date.now() + HOUR_MS).toISOString(), csrf_token: generateOpaqueId() };
      await store(id, { ...base, access_token: service });
      expectUnauthenticated(await getSession(`orch_session=${id}`));
    });

    it('refreshes an expired access token through control-api transparently, and re-verifies the new one', async () => {
      // An operator of its own: presenting the spent refresh token below ends all of its sessions.
      const who = await createTestOperator(control.app, ['Support']);
      const { cookie, csrf, sessionId } = await loggedIn(who);
      const before = await stored(sessionId);
      if (!before) throw new Error('no session stored');
      const pastExpiry = new Date(Date.now() - 1000).toISOString();
      await bffRedis.set(sessionKeyOf(sessionId), JSON.stringify({ ...before, expires_at: pastExpiry }), 'KEEPTTL');

      const res = await getSession(cookie).expect(200);
      expect(res.body).toEqual({ operator: { id: who.id, email: who.email, roles: ['Support'] }, csrf_token: csrf, expires_at: expect.any(String), impersonation: null });
      expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.now() + 60_000);
      expect(res.headers['set-cookie']).toBeUndefined();

      const after = await stored(sessionId);
      expect(after?.access_token).not.toBe(before.access_token);
      expect(after?.refresh_token).not.toBe(before.refresh_token);
      expect(after?.expires_at).toBe(res.body.expires_at);
      // The session keeps its lifetime from login: refreshing does not extend it.
      expect(await bffRedis.ttl(sessionKeyOf(sessionId))).toBeLessThanOrEqual(bff.config.CONSOLE_SESSION_TTL_SECONDS);
      // The old refresh token was spent at control-api.
      await request(control.server).post('/v1/auth/refresh').send({ refresh_token: before.refresh_token }).expect(401);
    });

    it('refreshes a token within 60 s of expiry, and only once for parallel reads', async () => {
      const { cookie, sessionId } = await loggedIn();
      const before = await stored(sessionId);
      if (!before) throw new Error('no session stored');
      await bffRedis.set(sessionKeyOf(sessionId), JSON.stringify({ ...before, expires_at: new Date(Date.now() + 30_000).toISOString() }), 'KEEPTTL');

      const answers = await Promise.all([getSession(cookie), getSession(cookie), getSession(cookie)]);
      for (const res of answers) expect(res.status).toBe(200);
      const after = await stored(sessionId);
      expect(after?.refresh_token).not.toBe(before.refresh_token);
      expect(new Set(answers.map((res) => res.body.expires_at as string))).toEqual(new Set([after?.expires_at]));
      // One refresh: had the refresh token been spent twice, control-api would have revoked the chain.
      await getSession(cookie).expect(200);
    });

    it('is 401 and deletes the session when the refresh fails: a disabled operator', async () => {
      const doomed = await createTestOperator(control.app, ['Support']);
      const { cookie, sessionId } = await loggedIn(doomed);
      await getSession(cookie).expect(200);

      await control.app.get(DataSource).getRepository(OperatorEntity).update({ id: doomed.id }, { status: 'disabled' });
      const session = await stored(sessionId);
      await bffRedis.set(sessionKeyOf(sessionId), JSON.stringify({ ...session, expires_at: new Date(Date.now() - 1000).toISOString() }), 'KEEPTTL');

      const res = await getSession(cookie);
      expectUnauthenticated(res);
      expect(sessionCookieOf(res)).toBe('orch_session=');
      expect(await stored(sessionId)).toBeUndefined();
      expectUnauthenticated(await getSession(cookie));
    });
  });

  describe('DELETE /api/session', () => {
    it('is 403 without the CSRF token, or with a wrong one, and the session stays', async () => {
      const { cookie, sessionId } = await loggedIn();
      const missing = await request(bff.server).delete('/api/session').set('cookie', cookie).expect(403);
      expect(missing.body.error).toMatchObject({ code: 'FORBIDDEN', request_id: missing.headers['x-request-id'] });
      await request(bff.server).delete('/api/session').set('cookie', cookie).set('x-csrf-token', generateOpaqueId()).expect(403);
      expect(await stored(sessionId)).toBeDefined();
      await getSession(cookie).expect(200);
    });

    it('with the CSRF token: 204, the cookie is cleared, the session is gone and GET is 401', async () => {
      const { cookie, csrf, sessionId } = await loggedIn();
      const res = await request(bff.server).delete('/api/session').set('cookie', cookie).set('x-csrf-token', csrf).expect(204);
      const cleared = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('orch_session='));
      expect(cleared).toMatch(/^orch_session=; Path=\/; Max-Age=0;/);
      expect(cleared).toContain('HttpOnly');
      expect(await stored(sessionId)).toBeUndefined();
      expectUnauthenticated(await getSession(cookie));
    });

    it('is 401 without a session', async () => {
      expectUnauthenticated(await request(bff.server).delete('/api/session').set('x-csrf-token', generateOpaqueId()));
    });
  });
});
