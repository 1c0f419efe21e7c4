import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OperatorEntity } from '@orch/data';
import { createTestOperator, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import type { ControlApiConfig } from '../src/config';
import { controlApiApp } from '../src/app.definition';

/** Each test signs in from an address of its own, so the per-IP counters of one test never block another. */
function freshIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Operator sign-in', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;

  const login = (email: string, password: string, ip = freshIp()) => request(t.server).post('/v1/auth/login').set('x-forwarded-for', ip).send({ email, password });
  const me = (token: string) => request(t.server).get('/v1/auth/me').set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await startTestApp(controlApiApp, { env: { ORCH_TOKEN_TTL_SECONDS: '600' } });
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /v1/auth/login', () => {
    it('answers an operator token (aud control, roles, ORCH_TOKEN_TTL_SECONDS) and a refresh token', async () => {
      const support = await createTestOperator(t.app, ['Support', 'ReadOnlyAuditor']);
      const res = await login(support.email.toUpperCase(), support.password).expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 600,
        refresh_token: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/),
        operator: { id: support.id, email: support.email, roles: ['Support', 'ReadOnlyAuditor'] },
      });
      expect(payloadOf(res.body.access_token)).toMatchObject({ typ: 'operator', aud: 'orchestrator-control', sub: support.id, roles: ['Support', 'ReadOnlyAuditor'] });
      const claims = payloadOf(res.body.access_token);
      expect(Number(claims['exp']) - Number(claims['iat'])).toBe(600);
      const row = await t.app.get(DataSource).getRepository(OperatorEntity).findOneByOrFail({ id: support.id });
      expect(row.lastLoginAt).toBeInstanceOf(Date);
    });

    it('lets the token in: GET /v1/auth/me answers the profile without secrets', async () => {
      const { body } = await login(admin.email, admin.password).expect(200);
      const res = await me(body.access_token).expect(200);
      expect(res.body).toMatchObject({ id: admin.id, email: admin.email, roles: ['OperatorAdmin'], status: 'active', invite_pending: false, break_glass_active: false });
      expect(Object.keys(res.body)).not.toEqual(expect.arrayContaining(['password_hash']));
      expect(JSON.stringify(res.body)).not.toContain('scrypt');
    });

    it('answers the same 401 for an unknown email and for a wrong password', async () => {
      const unknown = await login('nobody@example.test', 'whatever-password').expect(401);
      const wrong = await login(admin.email, 'not-the-password').expect(401);
      expect(unknown.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'Invalid email or password', request_id: expect.any(String) });
      expect(wrong.body.error).toEqual({ ...unknown.body.error, request_id: expect.any(String) });
    });

    it('refuses an invited operator who has not set a password yet, with the same 401', async () => {
      const invited = await request(t.server).post('/v1/operators').set('authorization', `Bearer ${admin.token}`).set('x-reason', 'invite').send({ email: `inv-${randomBytes(3).toString('hex')}@example.test`, roles: ['Support'] }).expect(201);
      const res = await login(invited.body.operator.email, '').expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const refused = await login(invited.body.operator.email, 'any-password-at-all').expect(401);
      expect(refused.body.error.message).toBe('Invalid email or password');
    });

    it('validates the body (400 with field paths, unknown fields refused)', async () => {
      const res = await request(t.server).post('/v1/auth/login').send({ email: 'nope', password: 42, extra: true }).expect(400);
      expect([...new Set(res.body.error.details.map((d: { path: string }) => d.path))].sort()).toEqual(['/email', '/extra', '/password']);
    });
  });

  describe('throttling', () => {
    it('answers 429 with Retry-After on the 6th attempt for an account, even with the right password and from another address', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      const ip = freshIp();
      for (let i = 0; i < 5; i += 1) await login(target.email, `wrong-${i}`, ip).expect(401);
      const blocked = await login(target.email, target.password, ip).expect(429);
      expect(blocked.body.error.code).toBe('RATE_LIMITED');
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      await login(target.email.toUpperCase(), target.password, freshIp()).expect(429);
      // Other accounts from the same address are unaffected.
      await login(admin.email, admin.password, ip).expect(200);
    });

    it('counts unknown accounts the same way (no enumeration through the limit)', async () => {
      const email = `ghost-${randomBytes(3).toString('hex')}@example.test`;
      for (let i = 0; i < 5; i += 1) await login(email, 'wrong-password', freshIp()).expect(401);
      await login(email, 'wrong-password', freshIp()).expect(429);
    });

    it('resets the account counter on success', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      for (let i = 0; i < 4; i += 1) await login(target.email, `wrong-${i}`).expect(401);
      await login(target.email, target.password).expect(200);
      for (let i = 0; i < 4; i += 1) await login(target.email, `wrong-again-${i}`).expect(401);
      await login(target.email, target.password).expect(200);
    });

    it('answers 429 after 20 failures from one address, whatever the account, and only for that address', async () => {
      const ip = freshIp();
      for (let i = 0; i < 20; i += 1) await login(`spray-${i}-${randomBytes(2).toString('hex')}@example.test`, 'wrong-password', ip).expect(401);
      const blocked = await login(admin.email, admin.password, ip).expect(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await login(admin.email, admin.password, freshIp()).expect(200);
    });

    it('lets parallel guesses through at most up to the limit', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login(target.email, `burst-${i}`)));
      expect(results.filter((r) => r.status === 401)).toHaveLength(5);
      expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    });
  });

  describe('POST /v1/auth/refresh', () => {
    it('rotates: a new pair that works, the old refresh token spent', async () => {
      const first = (await login(admin.email, admin.password).expect(200)).body;
      const second = (await request(t.server).post('/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)).body;
      expect(second).toMatchObject({ token_type: 'Bearer', operator: { id: admin.id, roles: ['OperatorAdmin'] } });
      expect(second.refresh_token).not.toBe(first.refresh_token);
      await me(second.access_token).expect(200);
      const third = (await request(t.server).post('/v1/auth/refresh').send({ refresh_token: second.refresh_token }).expect(200)).body;
      await me(third.access_token).expect(200);
    });

    it('detects reuse: a spent refresh token → 401, and every session of the operator ends', async () => {
      const operator = await createTestOperator(t.app, ['Support']);
      const first = (await login(operator.email, operator.password).expect(200)).body;
      const second = (await request(t.server).post('/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)).body;
      const reuse = await request(t.server).post('/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(401);
      expect(reuse.body.error.code).toBe('UNAUTHENTICATED');
      // The rotated-to token (perhaps the thief's) is revoked too, and so are the access tokens.
      await request(t.server).post('/v1/auth/refresh').send({ refresh_token: second.refresh_token }).expect(401);
      await me(second.access_token).expect(401);
    });

    it('refuses an unknown or malformed refresh token', async () => {
      await request(t.server).post('/v1/auth/refresh').send({ refresh_token: `rt_${randomBytes(32).toString('base64url')}` }).expect(401);
      const res = await request(t.server).post('/v1/auth/refresh').send({}).expect(400);
      expect(res.body.error.details[0].path).toBe('/refresh_token');
    });

    it('takes roles from the database, not from the previous token', async () => {
      const operator = await createTestOperator(t.app, ['Support']);
      const first = (await login(operator.email, operator.password).expect(200)).body;
      await t.app.get(DataSource).getRepository(OperatorEntity).update({ id: operator.id }, { roles: ['Support', 'BillingAdmin'] });
      const next = (await request(t.server).post('/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)).body;
      expect(next.operator.roles).toEqual(['Support', 'BillingAdmin']);
      expect(payloadOf(next.access_token)['roles']).toEqual(['Support', 'BillingAdmin']);
    });
  });

  describe('a disabled operator', () => {
    it('loses its access token at the next request, cannot refresh, cannot sign in', async () => {
      const operator = await createTestOperator(t.app, ['Support']);
      const session = (await login(operator.email, operator.password).expect(200)).body;
      await me(session.access_token).expect(200);

      const res = await request(t.server).patch(`/v1/operators/${operator.id}`).set('authorization', `Bearer ${admin.token}`).send({ status: 'disabled', reason: 'left the company' }).expect(200);
      expect(res.body.status).toBe('disabled');

      await me(session.access_token).expect(401);
      await me(operator.token).expect(401);
      await request(t.server).post('/v1/auth/refresh').send({ refresh_token: session.refresh_token }).expect(401);
      const refused = await login(operator.email, operator.password).expect(401);
      expect(refused.body.error.message).toBe('Invalid email or password');
    });

    it('can sign in again once re-enabled, without waiting for the revocation to lapse', async () => {
      const operator = await createTestOperator(t.app, ['Support']);
      const patch = (body: object) => request(t.server).patch(`/v1/operators/${operator.id}`).set('authorization', `Bearer ${admin.token}`).set('x-reason', 'test').send(body);
      await patch({ status: 'disabled' }).expect(200);
      await patch({ status: 'active' }).expect(200);
      // Tokens issued in the second of the revocation count as revoked (iat has 1 s resolution).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const session = (await login(operator.email, operator.password).expect(200)).body;
      await me(session.access_token).expect(200);
    });
  });
});
