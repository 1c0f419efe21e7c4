import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { generateKeyFile, type KeyRing, loadKeyRing } from '../keys/key-ring';
import { CONTROL_AUDIENCE, EXEC_AUDIENCE, MAX_TOKEN_TTL_SECONDS } from './claims';
import { TokenIssuer } from './token-issuer';
import { createLocalVerifier } from './token-verifier';

const ISSUER = 'https://control.orchestrator.test';
const WORKSPACE = '11111111-1111-4111-8111-111111111111';

describe(TokenIssuer.name, () => {
  let dir: string;
  let ring: KeyRing;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-issuer-'));
    generateKeyFile(dir, 'k1');
    ring = loadKeyRing({ dir, generateIfEmpty: false });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('issue', () => {
    it('signs with the active key (EdDSA, kid, typ JWT) and round-trips through the local verifier', async () => {
      const issued = await new TokenIssuer(ring, ISSUER).issue({ typ: 'service', aud: EXEC_AUDIENCE, sub: 'svc-1', tid: WORKSPACE, scope: 'execute jobs:read' }, 300);
      expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' });
      const claims = await createLocalVerifier(ring, { issuer: ISSUER, audience: EXEC_AUDIENCE }).verify(issued.token);
      expect(claims).toEqual(issued.claims);
      expect(claims).toMatchObject({ iss: ISSUER, aud: EXEC_AUDIENCE, sub: 'svc-1', tid: WORKSPACE, scope: 'execute jobs:read', typ: 'service' });
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(issued.expiresIn).toBe(300);
    });

    it('round-trips operator and impersonation tokens with their own claims', async () => {
      const issuer = new TokenIssuer(ring, ISSUER);
      const verifier = createLocalVerifier(ring, { issuer: ISSUER, audience: CONTROL_AUDIENCE });
      const operator = await issuer.issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: ['Support'] }, 900);
      expect(await verifier.verify(operator.token)).toMatchObject({ typ: 'operator', roles: ['Support'] });
      const impersonation = await issuer.issue({ typ: 'impersonation', aud: CONTROL_AUDIENCE, sub: `workspace:${WORKSPACE}`, tid: WORKSPACE, scope: 'workspace:read', sid: 'sess-1', act: { sub: 'op-1' } }, 600);
      expect(await verifier.verify(impersonation.token)).toMatchObject({ typ: 'impersonation', act: { sub: 'op-1' }, sid: 'sess-1' });
    });

    it('takes iat and exp from its clock', async () => {
      const now = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
      const issued = await new TokenIssuer(ring, ISSUER, () => now).issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: [] }, 60);
      expect(issued.claims.iat).toBe(Math.floor(now / 1000));
      expect(issued.claims.exp).toBe(Math.floor(now / 1000) + 60);
    });

    it.each([
      [3600, MAX_TOKEN_TTL_SECONDS],
      [901, 900],
      [900, 900],
      [0, 1],
      [-5, 1],
      [12.9, 12],
    ])('caps a ttl of %s s to %s s (never more than 15 minutes)', async (requested, granted) => {
      const issued = await new TokenIssuer(ring, ISSUER).issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: [] }, requested);
      expect(issued.expiresIn).toBe(granted);
      expect(issued.claims.exp - issued.claims.iat).toBe(granted);
    });

    it('gives every token its own jti', async () => {
      const issuer = new TokenIssuer(ring, ISSUER);
      const request = { typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: [] } as const;
      const [a, b] = await Promise.all([issuer.issue({ ...request, roles: [] }, 60), issuer.issue({ ...request, roles: [] }, 60)]);
      expect(a.claims.jti).not.toBe(b.claims.jti);
    });
  });
});
