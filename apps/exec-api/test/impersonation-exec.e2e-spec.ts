import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestOperator, type TestOperator } from '@orch/testing';
import { ExecStack, type TestWorkspace } from './support/exec-stack';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Started {
  id: string;
  token: string;
  exec_token: string;
}

/**
 * An operator's impersonation reaches the execution plane through its own token (aud
 * orchestrator-exec, typ impersonation): it acts as the workspace while the session is live in
 * Redis, and each plane refuses the other's token.
 */
describe('exec-api under an impersonation token', () => {
  let stack: ExecStack;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let support: TestOperator;
  let connector: string;

  async function start(workspaceId: string, ttlSeconds = 300): Promise<Started> {
    const res = await request(stack.control.server)
      .post('/v1/impersonation')
      .set(bearer(support.token))
      .send({ workspace_id: workspaceId, reason: 'exec-api impersonation e2e', ttl_seconds: ttlSeconds })
      .expect(201);
    return res.body as Started;
  }

  const stop = (id: string) => request(stack.control.server).delete(`/v1/impersonation/${id}`).set(bearer(support.token)).send({ reason: 'done' }).expect(200);

  const execute = (token: string, id = '1') => {
    stack.upstream.enqueue({ status: 200, body: { id } });
    return request(stack.exec.server).post('/v1/execute').set(bearer(token)).send({ connector, operation: 'get_thing', payload: { id } });
  };

  beforeAll(async () => {
    stack = await ExecStack.start();
    a = await stack.workspace();
    b = await stack.workspace();
    support = await createTestOperator(stack.control.app, ['Support']);
    ({ connector } = await stack.httpConnector(a.ws.id));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs /v1/execute as the workspace, and says who acts in /v1/whoami', async () => {
    const session = await start(a.ws.id);
    const res = await execute(session.exec_token, '42').expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', output: { id: '42' } });
    const whoami = await request(stack.exec.server).get('/v1/whoami').set(bearer(session.exec_token)).expect(200);
    expect(whoami.body).toEqual({
      kind: 'impersonation',
      identity_id: `workspace:${a.ws.id}`,
      impersonator_id: support.id,
      workspace_id: a.ws.id,
      scopes: expect.arrayContaining(['execute', 'jobs:write', 'jobs:read', 'events:read']),
    });
  });

  it('uses jobs and events of its workspace only (another workspace’s job is a 404)', async () => {
    const session = await start(a.ws.id);
    const job = await request(stack.exec.server).post('/v1/jobs').set(bearer(session.exec_token)).send({ connector, operation: 'get_thing', payload: { id: '1' }, delay_ms: 60_000 }).expect(202);
    await request(stack.exec.server).get(`/v1/jobs/${job.body.id as string}`).set(bearer(session.exec_token)).expect(200);
    await request(stack.exec.server).get('/v1/events').set(bearer(session.exec_token)).expect(200);

    const { connector: ofB } = await stack.httpConnector(b.ws.id);
    const jobOfB = await request(stack.exec.server).post('/v1/jobs').set(bearer(await b.token(['jobs:write']))).send({ connector: ofB, operation: 'get_thing', payload: { id: '1' }, delay_ms: 60_000 }).expect(202);
    const res = await request(stack.exec.server).get(`/v1/jobs/${jobOfB.body.id as string}`).set(bearer(session.exec_token)).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('writes the request log under the workspace', async () => {
    const session = await start(a.ws.id);
    const res = await execute(session.exec_token).expect(200);
    const requestId = res.headers['x-request-id'] as string;
    const dataSource = stack.exec.app.get(DataSource);
    const until = Date.now() + 3000;
    let rows: Array<{ workspace_id: string }> = [];
    while (Date.now() < until && rows.length === 0) {
      rows = (await dataSource.query('SELECT workspace_id FROM request_log WHERE request_id = $1', [requestId])) as Array<{ workspace_id: string }>;
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows).toEqual([{ workspace_id: a.ws.id }]);
  });

  it('is refused (401) from the request after the session is stopped', async () => {
    const session = await start(a.ws.id);
    await execute(session.exec_token).expect(200);
    await stop(session.id);
    const res = await execute(session.exec_token).expect(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), request_id: res.headers['x-request-id'] } });
    await request(stack.exec.server).get('/v1/whoami').set(bearer(session.exec_token)).expect(401);
  });

  it('is refused (401) once the session has expired, even before the token’s own exp is checked late', async () => {
    const session = await start(a.ws.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await execute(session.exec_token).expect(401);
  });

  it('refuses the control-plane impersonation token on exec-api, and the exec token on control-api (wrong audience: 401)', async () => {
    const session = await start(a.ws.id);
    const onExec = await execute(session.token).expect(401);
    expect(onExec.body.error.code).toBe('UNAUTHENTICATED');
    const onControl = await request(stack.control.server).get(`/v1/workspaces/${a.ws.id}`).set(bearer(session.exec_token)).expect(401);
    expect(onControl.body.error.code).toBe('UNAUTHENTICATED');
    // The control token itself still works where it belongs.
    await request(stack.control.server).get(`/v1/workspaces/${a.ws.id}`).set(bearer(session.token)).expect(200);
  });

  it('keeps operator tokens out of exec-api (401: wrong audience)', async () => {
    await request(stack.exec.server).get('/v1/whoami').set(bearer(support.token)).expect(401);
  });
});
