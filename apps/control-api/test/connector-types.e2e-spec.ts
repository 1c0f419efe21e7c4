import request from 'supertest';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

describe('Connector types (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let auditor: TestOperator;
  let wsId: string;
  const path = (workspaceId: string) => `/v1/workspaces/${workspaceId}/connector-types`;

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    wsId = (await createTestWorkspace(t.app)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the four built-in types with their JSON Schemas and operations', async () => {
    const res = await request(t.server).get(path(wsId)).set(bearer(auditor.token)).expect(200);
    expect(res.body.data.map((d: { type: string }) => d.type)).toEqual(['http', 'stripe', 'smtp', 's3']);
    for (const definition of res.body.data) {
      expect(definition).toEqual(
        expect.objectContaining({
          title: expect.any(String),
          description: expect.any(String),
          config_schema: expect.objectContaining({ type: 'object', properties: expect.any(Object) }),
          secret_schema: expect.objectContaining({ type: 'object' }),
          operations: expect.any(Array),
          operations_from_config: definition.type === 'http',
        }),
      );
    }
    const stripe = res.body.data.find((d: { type: string }) => d.type === 'stripe');
    expect(stripe.webhook_verification).toBe('stripe');
    expect(stripe.config_schema.properties.api_key_ref).toMatchObject({ type: 'string', 'x-secret-ref': true });
    expect(stripe.secret_schema.properties.api_key).toMatchObject({ 'x-secret': true });
    expect(stripe.operations[0]).toMatchObject({ operation_id: 'create_payment_intent', payload_schema: { type: 'object' }, output_schema: { type: 'object' }, http: { method: 'POST' } });
    const http = res.body.data.find((d: { type: string }) => d.type === 'http');
    expect(http.config_schema.properties.auth.oneOf.map((b: { properties: { kind: { const: string } } }) => b.properties.kind.const)).toEqual(['none', 'bearer', 'header', 'basic']);
  });

  it("serves the workspace's own control token and 404s another workspace's", async () => {
    const own = await serviceToken(t.app, wsId, ['workspace:read'], { audience: 'control' });
    await request(t.server).get(path(wsId)).set(bearer(own)).expect(200);
    const other = await createTestWorkspace(t.app);
    expectError((await request(t.server).get(path(other.id)).set(bearer(own)).expect(404)).body, 'NOT_FOUND');
  });

  it('answers 401 without a token and 404 for an unknown workspace', async () => {
    expectError((await request(t.server).get(path(wsId)).expect(401)).body, 'UNAUTHENTICATED');
    expectError((await request(t.server).get(path('7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11')).set(bearer(auditor.token)).expect(404)).body, 'NOT_FOUND');
  });
});
