import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OperatorAuditLogEntity, OperatorEntity, type OperatorRole } from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import type { ControlApiConfig } from '../src/config';
import { controlApiApp } from '../src/app.definition';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function email(): string {
  return `op-${randomBytes(4).toString('hex')}@example.test`;
}

function pathsOf(body: { error: { details?: Array<{ path: string }> } }): string[] {
  return [...new Set((body.error.details ?? []).map((d) => d.path))].sort();
}

describe('Operators', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let support: TestOperator;
  let auditor: TestOperator;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const auditRows = () => t.app.get(DataSource).getRepository(OperatorAuditLogEntity);
  const operatorRows = () => t.app.get(DataSource).getRepository(OperatorEntity);
  const create = (token: string, body: object) => request(t.server).post('/v1/operators').set(auth(token)).send(body);
  const patch = (token: string, id: string, body: object) => request(t.server).patch(`/v1/operators/${id}`).set(auth(token)).send(body);
  const login = (address: string, password: string) => request(t.server).post('/v1/auth/login').set('x-forwarded-for', `10.9.${randomBytes(1)[0]}.${randomBytes(1)[0]}`).send({ email: address, password });

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    support = await createTestOperator(t.app, ['Support']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
  });
  afterAll(async () => {
    await t?.close();
  });

  // First, while `admin` is the only OperatorAdmin of this database.
  describe('last-admin protection', () => {
    it('refuses (409) to disable yourself', async () => {
      const res = await patch(admin.token, admin.id, { status: 'disabled', reason: 'oops' }).expect(409);
      expect(res.body.error.code).toBe('CONFLICT');
    });

    it('refuses (409) to take OperatorAdmin from the last active OperatorAdmin, and changes nothing', async () => {
      const auditBefore = await auditRows().count();
      await patch(admin.token, admin.id, { roles: ['Support'], reason: 'demote' }).expect(409);
      expect((await operatorRows().findOneByOrFail({ id: admin.id })).roles).toEqual(['OperatorAdmin']);
      expect(await auditRows().count()).toBe(auditBefore);
    });

    it('does not count an invited (no password yet) or a disabled OperatorAdmin as the other active one', async () => {
      const invited = await create(admin.token, { email: email(), roles: ['OperatorAdmin'], reason: 'second admin' }).expect(201);
      expect(invited.body.operator.invite_pending).toBe(true);
      const disabled = await createTestOperator(t.app, ['OperatorAdmin']);
      await patch(admin.token, disabled.id, { status: 'disabled', reason: 'gone' }).expect(200);
      await patch(admin.token, admin.id, { roles: ['Support'], reason: 'demote' }).expect(409);
    });

    it('allows demoting one of two active OperatorAdmins', async () => {
      const second = await createTestOperator(t.app, ['OperatorAdmin']);
      const res = await patch(admin.token, second.id, { roles: ['Support'], reason: 'fewer admins' }).expect(200);
      expect(res.body.roles).toEqual(['Support']);
      // admin is the last one again.
      await patch(admin.token, admin.id, { roles: ['Support'], reason: 'demote' }).expect(409);
    });
  });

  describe('access', () => {
    it('answers 401 without a token', async () => {
      const res = await request(t.server).get('/v1/operators').expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      await request(t.server).post('/v1/operators').send({ email: email(), roles: ['Support'], reason: 'x' }).expect(401);
    });

    it('answers 401 to a token of the wrong audience (a service token for exec)', async () => {
      const workspace = await createTestWorkspace(t.app);
      const token = await serviceToken(t.app, workspace.id, ['execute', 'identities:write'], { audience: 'exec' });
      await request(t.server).get('/v1/operators').set(auth(token)).expect(401);
      await create(token, { email: email(), roles: ['Support'], reason: 'x' }).expect(401);
    });

    it('answers 403 to a control service token: operators are for operators only', async () => {
      const workspace = await createTestWorkspace(t.app);
      const token = await serviceToken(t.app, workspace.id, ['workspace:write', 'identities:write', 'audit:read'], { audience: 'control' });
      await request(t.server).get('/v1/operators').set(auth(token)).expect(403);
    });

    it.each([
      ['Support', 'POST', 403],
      ['Support', 'GET', 403],
      ['BillingAdmin', 'GET', 403],
      ['ReadOnlyAuditor', 'GET', 200],
      ['ReadOnlyAuditor', 'POST', 403],
      ['BreakGlassAdmin', 'GET', 403],
    ] as Array<[OperatorRole, 'GET' | 'POST', number]>)('as %s, %s /v1/operators → %d', async (role, method, status) => {
      const caller = await createTestOperator(t.app, [role]);
      const before = await operatorRows().count();
      const res = method === 'GET' ? await request(t.server).get('/v1/operators').set(auth(caller.token)) : await create(caller.token, { email: email(), roles: ['Support'], reason: 'try' });
      expect(res.status).toBe(status);
      if (status === 403) expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await operatorRows().count()).toBe(before);
    });

    it('audits a denied attempt', async () => {
      await patch(support.token, auditor.id, { roles: ['OperatorAdmin'], reason: 'escalate' }).expect(403);
      const row = await auditRows().findOne({ where: { action: 'access.denied', actorId: support.id, targetId: 'PATCH /v1/operators/:operatorId' } });
      expect(row).not.toBeNull();
    });
  });

  describe('POST /v1/operators', () => {
    it('creates an invited operator (201) with a one-time invite token, audited without the token', async () => {
      const address = email();
      const res = await create(admin.token, { email: address, roles: ['Support', 'BillingAdmin'], display_name: 'Grace', reason: 'new support hire' }).expect(201);
      expect(res.body).toEqual({
        operator: {
          id: expect.stringMatching(UUID),
          email: address,
          display_name: 'Grace',
          roles: ['Support', 'BillingAdmin'],
          status: 'active',
          invite_pending: true,
          invite_expires_at: res.body.invite_expires_at,
          last_login_at: null,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
        invite_token: expect.stringMatching(/^inv_[A-Za-z0-9_-]{43}$/),
        invite_expires_at: expect.any(String),
      });
      const expiresIn = Date.parse(res.body.invite_expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(71 * 3600_000);
      expect(expiresIn).toBeLessThanOrEqual(72 * 3600_000);

      const row = await operatorRows().findOneByOrFail({ id: res.body.operator.id });
      expect(row.inviteTokenHash).not.toBe(res.body.invite_token);
      expect(row.passwordHash).toBeNull();

      const audit = await auditRows().findOneOrFail({ where: { action: 'operator.create', targetId: res.body.operator.id } });
      expect(audit).toMatchObject({ actorType: 'operator', actorId: admin.id, targetType: 'operator', reason: 'new support hire', workspaceId: null, before: null, requestId: res.headers['x-request-id'] });
      expect(audit.after).toMatchObject({ email: address, roles: ['Support', 'BillingAdmin'] });
      expect(JSON.stringify(audit)).not.toContain(res.body.invite_token);
      expect(JSON.stringify(audit)).not.toContain(row.inviteTokenHash);
    });

    it('takes the reason from X-Reason too', async () => {
      const res = await request(t.server).post('/v1/operators').set(auth(admin.token)).set('x-reason', 'header reason').send({ email: email(), roles: ['Support'] }).expect(201);
      const audit = await auditRows().findOneOrFail({ where: { action: 'operator.create', targetId: res.body.operator.id } });
      expect(audit.reason).toBe('header reason');
    });

    it('answers 400 REASON_REQUIRED without a reason, creating nothing and auditing nothing', async () => {
      const [operatorsBefore, auditBefore] = [await operatorRows().count(), await auditRows().count()];
      const address = email();
      for (const reason of [undefined, '', '   ']) {
        const res = await create(admin.token, { email: address, roles: ['Support'], ...(reason === undefined ? {} : { reason }) }).expect(400);
        expect(res.body.error.code).toBe('REASON_REQUIRED');
      }
      expect(await operatorRows().count()).toBe(operatorsBefore);
      expect(await auditRows().count()).toBe(auditBefore);
    });

    it('answers 409 on a duplicate email, case-insensitively', async () => {
      const address = email();
      await create(admin.token, { email: address, roles: ['Support'], reason: 'first' }).expect(201);
      const res = await create(admin.token, { email: address.toUpperCase(), roles: ['Support'], reason: 'again' }).expect(409);
      expect(res.body.error.code).toBe('CONFLICT');
      expect(await operatorRows().createQueryBuilder('o').where('lower(o.email) = :e', { e: address }).getCount()).toBe(1);
    });

    it('answers 409 once for two racing creates of one email', async () => {
      const address = email();
      const results = await Promise.all([0, 1, 2].map(() => create(admin.token, { email: address, roles: ['Support'], reason: 'race' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });

    it.each([
      [{ email: 'not-an-email', roles: ['Support'] }, ['/email']],
      [{ email: email(), roles: ['Superuser'] }, ['/roles']],
      [{ email: email(), roles: [] }, ['/roles']],
      [{ email: email(), roles: ['Support', 'Support'] }, ['/roles']],
      [{ email: email() }, ['/roles']],
      [{ email: email(), roles: ['Support'], password_hash: 'x' }, ['/password_hash']],
      [{ email: email(), roles: ['Support'], display_name: 'x'.repeat(201) }, ['/display_name']],
    ])('answers 400 VALIDATION_FAILED with field paths for %j', async (body, paths) => {
      const res = await create(admin.token, { ...body, reason: 'validation' }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(pathsOf(res.body)).toEqual(paths);
    });
  });

  describe('GET /v1/operators', () => {
    it('pages with ?limit= and next_cursor, newest first, without secrets', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.server)
          .get('/v1/operators')
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .set(auth(auditor.token))
          .expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(3);
        for (const operator of res.body.data) {
          expect(Object.keys(operator).sort()).toEqual(['created_at', 'display_name', 'email', 'id', 'invite_expires_at', 'invite_pending', 'last_login_at', 'roles', 'status', 'updated_at']);
        }
        seen.push(...res.body.data.map((o: { id: string }) => o.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(await operatorRows().count());
      expect(seen).toEqual(expect.arrayContaining([admin.id, support.id, auditor.id]));
    });

    it('answers 400 on a bad limit or cursor', async () => {
      for (const query of [{ limit: 0 }, { limit: 201 }, { limit: 'ten' }, { cursor: 'garbage' }, { cursor: Buffer.from('["x","y"]').toString('base64url') }, { other: 1 }]) {
        const res = await request(t.server).get('/v1/operators').query(query).set(auth(admin.token)).expect(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('GET /v1/operators/:operatorId', () => {
    it('answers the operator', async () => {
      const res = await request(t.server).get(`/v1/operators/${support.id}`).set(auth(auditor.token)).expect(200);
      expect(res.body).toMatchObject({ id: support.id, email: support.email, roles: ['Support'], status: 'active', invite_pending: false });
    });

    it('answers 404 on an unknown or malformed id', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '1']) {
        const res = await request(t.server).get(`/v1/operators/${id}`).set(auth(admin.token)).expect(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    });
  });

  describe('PATCH /v1/operators/:operatorId', () => {
    it('changes roles, audits before/after, and ends the operator\'s tokens at the next request', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      await request(t.server).get('/v1/auth/me').set(auth(target.token)).expect(200);
      const res = await patch(admin.token, target.id, { roles: ['ReadOnlyAuditor'], display_name: 'Audrey', reason: 'moved to audit' }).expect(200);
      expect(res.body).toMatchObject({ id: target.id, roles: ['ReadOnlyAuditor'], display_name: 'Audrey' });

      await request(t.server).get('/v1/auth/me').set(auth(target.token)).expect(401);
      const audit = await auditRows().findOneOrFail({ where: { action: 'operator.update', targetId: target.id } });
      expect(audit).toMatchObject({ actorId: admin.id, reason: 'moved to audit', before: expect.objectContaining({ roles: ['Support'] }), after: expect.objectContaining({ roles: ['ReadOnlyAuditor'] }) });

      // A fresh sign-in (after the second of the revocation) carries the new roles.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const session = await login(target.email, target.password).expect(200);
      expect(session.body.operator.roles).toEqual(['ReadOnlyAuditor']);
      await request(t.server).get('/v1/operators').set(auth(session.body.access_token)).expect(200);
    });

    it('leaves tokens alone when only the display name changes (null clears it)', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      const named = await patch(admin.token, target.id, { display_name: 'Only a name', reason: 'typo' }).expect(200);
      expect(named.body.display_name).toBe('Only a name');
      const cleared = await patch(admin.token, target.id, { display_name: null, roles: null, reason: 'no name' }).expect(200);
      expect(cleared.body).toMatchObject({ display_name: null, roles: ['Support'] });
      await request(t.server).get('/v1/auth/me').set(auth(target.token)).expect(200);
    });

    it('answers 400 REASON_REQUIRED without a reason, changing nothing and auditing nothing', async () => {
      const target = await createTestOperator(t.app, ['Support']);
      const auditBefore = await auditRows().count();
      const res = await patch(admin.token, target.id, { status: 'disabled' }).expect(400);
      expect(res.body.error.code).toBe('REASON_REQUIRED');
      expect((await operatorRows().findOneByOrFail({ id: target.id })).status).toBe('active');
      expect(await auditRows().count()).toBe(auditBefore);
      await request(t.server).get('/v1/auth/me').set(auth(target.token)).expect(200);
    });

    it('answers 400 on an invalid body', async () => {
      const cases: Array<[object, string[]]> = [
        [{ status: 'deleted' }, ['/status']],
        [{ roles: ['Root'] }, ['/roles']],
        [{ email: 'new@example.test' }, ['/email']],
        [{}, ['']],
      ];
      for (const [body, paths] of cases) {
        const res = await patch(admin.token, support.id, { ...body, reason: 'x' }).expect(400);
        expect({ body, paths: pathsOf(res.body) }).toEqual({ body, paths });
      }
    });

    it('answers 404 on an unknown operator', async () => {
      await patch(admin.token, randomUUID(), { status: 'disabled', reason: 'x' }).expect(404);
    });
  });

  describe('invites: POST /v1/auth/accept-invite', () => {
    const accept = (inviteToken: string, password: string) => request(t.server).post('/v1/auth/accept-invite').send({ invite_token: inviteToken, password });

    it('sets the password once; the operator can then sign in; the token cannot be used again', async () => {
      const address = email();
      const created = await create(admin.token, { email: address, roles: ['Support'], reason: 'hire' }).expect(201);
      const short = await accept(created.body.invite_token, 'short').expect(400);
      expect(pathsOf(short.body)).toEqual(['/password']);

      const res = await accept(created.body.invite_token, 'a-long-enough-password').expect(200);
      expect(res.body).toMatchObject({ id: created.body.operator.id, invite_pending: false, invite_expires_at: null });
      const row = await operatorRows().findOneByOrFail({ id: created.body.operator.id });
      expect(row.inviteTokenHash).toBeNull();
      const audit = await auditRows().findOneOrFail({ where: { action: 'operator.accept_invite', targetId: row.id } });
      expect(audit).toMatchObject({ actorType: 'operator', actorId: row.id });
      expect(JSON.stringify(audit)).not.toContain('a-long-enough-password');

      await login(address, 'a-long-enough-password').expect(200);
      await accept(created.body.invite_token, 'another-long-password').expect(401);
      await login(address, 'another-long-password').expect(401);
    });

    it('accepts one of two racing accepts', async () => {
      const created = await create(admin.token, { email: email(), roles: ['Support'], reason: 'hire' }).expect(201);
      const results = await Promise.all([accept(created.body.invite_token, 'password-number-one'), accept(created.body.invite_token, 'password-number-two')]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('refuses an expired, unknown or disabled invite (401)', async () => {
      const expired = await create(admin.token, { email: email(), roles: ['Support'], reason: 'hire' }).expect(201);
      await operatorRows().update({ id: expired.body.operator.id }, { inviteExpiresAt: new Date(Date.now() - 1000) });
      await accept(expired.body.invite_token, 'a-long-enough-password').expect(401);

      await accept(`inv_${randomBytes(32).toString('base64url')}`, 'a-long-enough-password').expect(401);

      const disabled = await create(admin.token, { email: email(), roles: ['Support'], reason: 'hire' }).expect(201);
      await patch(admin.token, disabled.body.operator.id, { status: 'disabled', reason: 'changed our mind' }).expect(200);
      const res = await accept(disabled.body.invite_token, 'a-long-enough-password').expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });
});
