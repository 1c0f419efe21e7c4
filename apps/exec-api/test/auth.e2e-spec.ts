import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import request from 'supertest';
import { generateKeyFile, KeyRing } from '@orch/auth';
import type { WorkspaceEntity } from '@orch/data';
import type { AppDefinition } from '@orch/platform';
import {
  createTestDatabase,
  createTestOperator,
  createTestRedisPrefix,
  createTestWorkspace,
  serviceToken,
  startTestApp,
  type TestApp,
  type TestDatabase,
  type TestOperator,
  type TestRedisPrefix,
} from '@orch/testing';
// The token issuer runs in-process: exec-api's tests need control-api itself, not a stub of it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../control-api/src/app.definition';
import { execApiApp } from '../src/app.definition';
import type { ExecApiConfig } from '../src/config';

/**
 * exec-api verifies tokens through control-api's JWKS over real HTTP: control-api runs
 * in-process and listens on a loopback port, both apps share one database and one Redis
 * prefix (as a deployment does), and every forged token below must come back as 401.
 */
type ControlApiConfig = typeof controlApiApp extends AppDefinition<infer C> ? C : never;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const ROTATED_KID = 'zz-rotated-key';

function expectUnauthenticated(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), request_id: res.headers['x-request-id'] } });
}

describe('exec-api authentication against control-api tokens', () => {
  let db: TestDatabase;
  let redis: TestRedisPrefix;
  let keysDir: string;
  let control: TestApp<ControlApiConfig>;
  let exec: TestApp<ExecApiConfig>;
  let controlPort: number;
  let admin: TestOperator;
  let ws: WorkspaceEntity;
  let execClient: { id: string; client_id: string; client_secret: string };

  async function startControl(env: Record<string, string> = {}, port = 0): Promise<TestApp<ControlApiConfig>> {
    const app = await startTestApp(controlApiApp, { db, env: { REDIS_KEY_PREFIX: redis.prefix, ORCH_JWT_KEYS_DIR: keysDir, ...env } });
    await app.app.listen({ port, host: '127.0.0.1' });
    return app;
  }

  async function createIdentity(audience: 'orchestrator-exec' | 'orchestrator-control', scopes: string[]): Promise<{ id: string; client_id: string; client_secret: string }> {
    const res = await request(control.server)
      .post(`/v1/workspaces/${ws.id}/service-identities`)
      .set(bearer(admin.token))
      .send({ name: `svc:exec${randomUUID().slice(0, 8)}-backend`, audience, scopes, reason: 'exec-api auth tests' })
      .expect(201);
    return res.body;
  }

  async function mint(client: { client_id: string; client_secret: string }): Promise<string> {
    const res = await request(control.server).post('/v1/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).expect(200);
    return res.body.access_token as string;
  }

  const whoami = (token: string) => request(exec.server).get('/v1/whoami').set(bearer(token));

  /** How many times control-api has served its JWKS (from its own request metrics). */
  async function jwksFetches(): Promise<number> {
    const metrics = await request(control.server).get('/metrics').expect(200);
    const line = metrics.text.split('\n').find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/.well-known/jwks.json"') && l.includes('status_code="200"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /**
   * Runs fn with Date.now 31 s further ahead than any earlier call did: past jose's 30 s
   * cooldown since its last JWKS fetch, so an unknown kid triggers a refetch, without waiting.
   */
  let clockSkewMs = 0;
  async function afterJwksCooldown<T>(fn: () => Promise<T>): Promise<T> {
    clockSkewMs += 31_000;
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockSkewMs);
    try {
      return await fn();
    } finally {
      clock.mockRestore();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedisPrefix();
    keysDir = mkdtempSync(join(tmpdir(), 'orch-exec-auth-keys-'));
    control = await startControl();
    controlPort = (control.app.getHttpServer().address() as AddressInfo).port;
    exec = await startTestApp(execApiApp, { db, env: { REDIS_KEY_PREFIX: redis.prefix, ORCH_JWKS_URL: `http://127.0.0.1:${controlPort}/.well-known/jwks.json` } });
    admin = await createTestOperator(control.app, ['OperatorAdmin']);
    ws = await createTestWorkspace(control.app);
    execClient = await createIdentity('orchestrator-exec', ['execute', 'jobs:read']);
  });
  afterAll(async () => {
    await exec?.close();
    await control?.close();
    await redis?.clear();
    await db?.drop();
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  });

  describe('a real service token', () => {
    it('minted by /v1/oauth/token is accepted by GET /v1/whoami', async () => {
      const res = await whoami(await mint(execClient)).expect(200);
      expect(res.body).toEqual({ kind: 'service', identity_id: execClient.id, workspace_id: ws.id, scopes: ['execute', 'jobs:read'] });
    });

    it('is refused with 401 when missing, or not sent as a Bearer header', async () => {
      const token = await mint(execClient);
      expectUnauthenticated(await request(exec.server).get('/v1/whoami'));
      expectUnauthenticated(await request(exec.server).get('/v1/whoami').set('authorization', token));
      expectUnauthenticated(await request(exec.server).get('/v1/whoami').set('authorization', `Basic ${token}`));
      expectUnauthenticated(await request(exec.server).get(`/v1/whoami?access_token=${token}`));
    });
  });

  describe('JWT attacks (each → 401 UNAUTHENTICATED)', () => {
    let activeKey: { kid: string; privateKey: KeyObject; publicKey: KeyObject };

    beforeAll(() => {
      activeKey = control.app.get(KeyRing).active;
    });

    const now = () => Math.floor(Date.now() / 1000);
    function validClaims(): JWTPayload & Record<string, unknown> {
      return { typ: 'service', iss: control.config.ORCH_JWT_ISSUER, aud: 'orchestrator-exec', sub: execClient.id, tid: ws.id, scope: 'execute', iat: now(), exp: now() + 300, jti: randomUUID() };
    }
    async function signed(claims: JWTPayload, key: KeyObject = activeKey.privateKey, kid: string = activeKey.kid): Promise<string> {
      return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' }).sign(key);
    }
    function without(claims: Record<string, unknown>, name: string): JWTPayload {
      const copy = { ...claims };
      delete copy[name];
      return copy;
    }

    it('(control) a token forged with the real key and valid claims passes, so each refusal below is the attack', async () => {
      await whoami(await signed(validClaims())).expect(200);
    });

    it('alg "none" (jose UnsecuredJWT) and hand-made "none"/"None"/"NONE", with and without a signature', async () => {
      const claims = validClaims();
      expectUnauthenticated(await whoami(new UnsecuredJWT(claims).encode()));
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        const unsigned = `${b64url(JSON.stringify({ alg, kid: activeKey.kid, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
        expectUnauthenticated(await whoami(`${unsigned}.`));
        expectUnauthenticated(await whoami(`${unsigned}.${b64url('signature')}`));
      }
    });

    it('HS256 re-signed with the Ed25519 public key as the HMAC secret (JWK JSON, PEM, raw bytes)', async () => {
      const jwks = (await request(control.server).get('/.well-known/jwks.json').expect(200)).body as { keys: Array<Record<string, string>> };
      const jwk = jwks.keys.find((k) => k.kid === activeKey.kid);
      expect(jwk).toBeDefined();
      const secrets = [
        Buffer.from(JSON.stringify(jwk)),
        Buffer.from(activeKey.publicKey.export({ type: 'spki', format: 'pem' })),
        activeKey.publicKey.export({ type: 'spki', format: 'der' }),
        Buffer.from(jwk?.['x'] ?? '', 'base64url'),
      ];
      for (const secret of secrets) {
        for (const alg of ['HS256', 'HS512']) {
          const token = await new SignJWT(validClaims()).setProtectedHeader({ alg, kid: activeKey.kid, typ: 'JWT' }).sign(new Uint8Array(secret));
          expectUnauthenticated(await whoami(token));
        }
      }
    });

    it('one flipped byte in the payload, and one in the signature', async () => {
      const token = await signed(validClaims());
      const [header, payload, signature] = token.split('.');

      const json = Buffer.from(payload, 'base64url');
      const at = json.indexOf(Buffer.from(ws.id)) + ws.id.length - 1;
      json[at] = json[at] === 0x61 ? 0x62 : 0x61; // still valid JSON, another workspace id
      expectUnauthenticated(await whoami(`${header}.${b64url(json)}.${signature}`));

      const sig = Buffer.from(signature, 'base64url');
      sig[0] ^= 0x01;
      expectUnauthenticated(await whoami(`${header}.${payload}.${b64url(sig)}`));

      // And the untouched token still works.
      await whoami(token).expect(200);
    });

    it('the wrong audience both ways: a control token on exec-api, an exec token on control-api', async () => {
      const controlClient = await createIdentity('orchestrator-control', ['workspace:read']);
      const controlToken = await mint(controlClient);
      await request(control.server).get(`/v1/workspaces/${ws.id}`).set(bearer(controlToken)).expect(200);
      expectUnauthenticated(await whoami(controlToken));

      const execToken = await mint(execClient);
      await whoami(execToken).expect(200);
      expectUnauthenticated(await request(control.server).get(`/v1/workspaces/${ws.id}`).set(bearer(execToken)));
      // The test fixture mints the same way.
      expectUnauthenticated(await whoami(await serviceToken(control.app, ws.id, ['workspace:read'], { audience: 'control' })));
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), aud: ['orchestrator-control'] })));
    });

    it('expired, not yet valid (nbf), without exp, with a non-numeric exp', async () => {
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), iat: now() - 1000, exp: now() - 60 })));
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), nbf: now() + 600 })));
      expectUnauthenticated(await whoami(await signed(without(validClaims(), 'exp'))));
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), exp: 'never' as unknown as number })));
    });

    it('missing tid, missing scope, missing sub, missing jti, unknown typ', async () => {
      for (const claim of ['tid', 'scope', 'sub', 'jti', 'typ', 'iat']) {
        expectUnauthenticated(await whoami(await signed(without(validClaims(), claim))));
      }
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), typ: 'admin' })));
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), tid: 42 as unknown as string })));
    });

    it('an unknown kid signed by a fresh Ed25519 key (exec-api refetches the JWKS, still no match), and a fresh key claiming the real kid', async () => {
      const attacker = generateKeyPairSync('ed25519');
      const forged = await signed(validClaims(), attacker.privateKey, 'attacker-key-1');
      expectUnauthenticated(await whoami(forged));
      const fetched = await jwksFetches();
      expectUnauthenticated(await afterJwksCooldown(() => whoami(forged)));
      expect(await jwksFetches()).toBe(fetched + 1);
      expectUnauthenticated(await whoami(await signed(validClaims(), attacker.privateKey, activeKey.kid)));
      const noKid = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(attacker.privateKey);
      expectUnauthenticated(await whoami(noKid));
    });

    it('the wrong issuer', async () => {
      expectUnauthenticated(await whoami(await signed({ ...validClaims(), iss: 'https://evil.example' })));
      expectUnauthenticated(await whoami(await signed(without(validClaims(), 'iss'))));
    });

    it('garbage in place of a token', async () => {
      for (const token of ['x', 'a.b.c', 'e30.e30.', `${b64url('{"alg":"EdDSA"}')}.${b64url('not json')}.${b64url('sig')}`]) {
        expectUnauthenticated(await whoami(token));
      }
    });
  });

  describe('scopes', () => {
    it('answers 403 FORBIDDEN to a valid exec token without any scope of the route', async () => {
      const key = control.app.get(KeyRing).active;
      const iat = Math.floor(Date.now() / 1000);
      const base = { typ: 'service', iss: control.config.ORCH_JWT_ISSUER, aud: 'orchestrator-exec', sub: randomUUID(), tid: ws.id, iat, exp: iat + 300 };
      for (const scope of ['admin', 'workspace:read identities:write', '']) {
        const token = await new SignJWT({ ...base, scope, jti: randomUUID() }).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
        const res = await whoami(token).expect(403);
        expect(res.body).toEqual({ error: expect.objectContaining({ code: 'FORBIDDEN' }) });
      }
    });
  });

  describe('revocation', () => {
    it('a revoked identity: the token it already holds is refused at the next exec-api request', async () => {
      const client = await createIdentity('orchestrator-exec', ['execute']);
      const token = await mint(client);
      await whoami(token).expect(200);
      await request(control.server).post(`/v1/workspaces/${ws.id}/service-identities/${client.id}/revoke`).set(bearer(admin.token)).send({ reason: 'compromised host' }).expect(200);
      expectUnauthenticated(await whoami(token));
      await request(control.server).post('/v1/oauth/token').send({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).expect(401);
      // Other identities are unaffected.
      await whoami(await mint(execClient)).expect(200);
    });
  });

  describe('signing key rotation', () => {
    it('old tokens keep verifying, new tokens carry the new kid, and exec-api refetches the JWKS for it', async () => {
      const oldKid = control.app.get(KeyRing).active.kid;
      const oldToken = await mint(execClient);
      await whoami(oldToken).expect(200);
      // Make exec-api fetch the JWKS now (an unknown kid past the cooldown): it holds the old key only.
      const stranger = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'not-yet-known', typ: 'JWT' }).sign(generateKeyPairSync('ed25519').privateKey);
      expectUnauthenticated(await afterJwksCooldown(() => whoami(stranger)));

      // Rotate: a second key file, control-api restarted with it active, on the same port.
      generateKeyFile(keysDir, ROTATED_KID);
      await control.close();
      control = await startControl({ ORCH_JWT_ACTIVE_KID: ROTATED_KID }, controlPort);
      const jwks = await request(control.server).get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, ROTATED_KID].sort());

      const newToken = await mint(execClient);
      expect(decodeProtectedHeader(newToken).kid).toBe(ROTATED_KID);
      expect(decodeProtectedHeader(oldToken).kid).toBe(oldKid);

      // Old tokens still verify, on both apps.
      await whoami(oldToken).expect(200);
      await request(control.server).get('/v1/workspaces').set(bearer(await serviceToken(control.app, ws.id, ['workspace:read'], { audience: 'control' }))).expect(200);

      // exec-api fetched the JWKS moments ago, so within jose's 30 s cooldown the new kid is unknown to it…
      expectUnauthenticated(await whoami(newToken));
      // …and once the cooldown has passed, the unknown kid makes it refetch and find the new key.
      const fetched = await jwksFetches();
      const res = await afterJwksCooldown(() => whoami(newToken).expect(200));
      expect(res.body.identity_id).toBe(execClient.id);
      expect(await jwksFetches()).toBe(fetched + 1);
      await whoami(newToken).expect(200);
      await whoami(oldToken).expect(200);
    });
  });
});
