import request from 'supertest';
import { createTestOperator, startTestApp, type TestApp } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

describe('authentication while Redis is unreachable', () => {
  let t: TestApp<ControlApiConfig>;

  beforeAll(async () => {
    // Nothing listens on port 1: revocation and session state cannot be read.
    t = await startTestApp(controlApiApp, { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a valid token with 503 UNAVAILABLE and Retry-After (fail closed, not a 500)', async () => {
    const operator = await createTestOperator(t.app, ['OperatorAdmin']);
    const res = await request(t.server).get('/v1/auth/me').set('authorization', `Bearer ${operator.token}`).expect(503);
    expect(res.body.error.code).toBe('UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('still answers 401 to a request without a token', async () => {
    await request(t.server).get('/v1/auth/me').expect(401);
  });
});
