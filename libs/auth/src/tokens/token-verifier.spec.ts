import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, type JWTHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import { DomainError } from '@orch/contracts';
import { generateKeyFile, KeyRing, loadKeyRing, type SigningKey } from '../keys/key-ring';
import { CONTROL_AUDIENCE, EXEC_AUDIENCE } from './claims';
import { TokenIssuer } from './token-issuer';
import { createLocalVerifier, createRemoteVerifier, type TokenVerifier } from './token-verifier';

const ISSUER = 'https://control.orchestrator.test';
const WORKSPACE = '11111111-1111-4111-8111-111111111111';

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A valid service token's claims for exec-api, to be bent by each attack. */
function serviceClaims(overrides: JWTPayload = {}): JWTPayload {
  const iat = nowSeconds();
  return { iss: ISSUER, aud: EXEC_AUDIENCE, sub: 'svc-1', iat, exp: iat + 300, jti: 'jti-1', typ: 'service', tid: WORKSPACE, scope: 'execute', ...overrides };
}

/** Signs whatever header and claims a test wants with a ring key (or any key). */
async function craft(key: SigningKey, claims: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

function withoutClaim(name: string): JWTPayload {
  const claims = serviceClaims();
  delete claims[name];
  return claims;
}

function unsigned(header: Record<string, unknown>, claims: JWTPayload): string {
  const encode = (part: unknown): string => base64url.encode(JSON.stringify(part));
  return `${encode(header)}.${encode(claims)}.`;
}

async function expectUnauthenticated(verifier: TokenVerifier, token: string): Promise<void> {
  const error: unknown = await verifier.verify(token).then(
    () => new Error('verified, but it should have been refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Missing, invalid or expired token' });
}

describe('token verification', () => {
  const dirs: string[] = [];
  let ring: KeyRing;
  let key: SigningKey;
  let stranger: SigningKey;
  let exec: TokenVerifier;
  let control: TokenVerifier;

  function tmpKeys(...kids: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'orch-verifier-'));
    dirs.push(dir);
    for (const kid of kids) generateKeyFile(dir, kid);
    return dir;
  }

  beforeAll(() => {
    ring = loadKeyRing({ dir: tmpKeys('k1'), generateIfEmpty: false });
    key = ring.active;
    // Same kid as ours, another key: a forger who guessed the kid.
    stranger = loadKeyRing({ dir: tmpKeys('k1'), generateIfEmpty: false }).active;
    exec = createLocalVerifier(ring, { issuer: ISSUER, audience: EXEC_AUDIENCE });
    control = createLocalVerifier(ring, { issuer: ISSUER, audience: CONTROL_AUDIENCE });
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe(createLocalVerifier.name, () => {
    it('accepts a well-formed token of its audience', async () => {
      await expect(exec.verify(await craft(key, serviceClaims()))).resolves.toMatchObject({ sub: 'svc-1', tid: WORKSPACE });
    });

    describe('refuses every forged, bent or stale token with UNAUTHENTICATED', () => {
      const attacks: Array<[string, () => Promise<string>]> = [
        ['alg none', async () => unsigned({ alg: 'none', typ: 'JWT', kid: 'k1' }, serviceClaims())],
        ['alg None', async () => unsigned({ alg: 'None', typ: 'JWT', kid: 'k1' }, serviceClaims())],
        ['alg none with a signature part', async () => `${unsigned({ alg: 'none', typ: 'JWT', kid: 'k1' }, serviceClaims())}AAAA`],
        [
          'HS256 signed with the public key (PEM) as HMAC secret',
          async () => new SignJWT(serviceClaims()).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'JWT' }).sign(new TextEncoder().encode(key.publicKey.export({ format: 'pem', type: 'spki' }) as string)),
        ],
        [
          'HS256 signed with the JWKS x bytes as HMAC secret',
          async () => new SignJWT(serviceClaims()).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'JWT' }).sign(base64url.decode(ring.jwks().keys[0].x as string)),
        ],
        [
          'an EdDSA signature under a header re-labelled RS256',
          async () => {
            const [, payload, signature] = (await craft(key, serviceClaims())).split('.');
            return `${base64url.encode(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' }))}.${payload}.${signature}`;
          },
        ],
        [
          'a flipped byte in the signature',
          async () => {
            const token = await craft(key, serviceClaims());
            const [header, payload, signature] = token.split('.');
            const bytes = base64url.decode(signature);
            bytes[10] ^= 0x01;
            return `${header}.${payload}.${base64url.encode(bytes)}`;
          },
        ],
        [
          'a payload changed after signing (tid swapped)',
          async () => {
            const [header, , signature] = (await craft(key, serviceClaims())).split('.');
            return `${header}.${base64url.encode(JSON.stringify(serviceClaims({ tid: '22222222-2222-4222-8222-222222222222' })))}.${signature}`;
          },
        ],
        ['a key we do not hold, under our kid', async () => craft(stranger, serviceClaims())],
        ['an unknown kid', async () => craft(key, serviceClaims(), { kid: 'k0-retired' })],
        ['no kid', async () => new SignJWT(serviceClaims()).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(key.privateKey)],
        ['the wrong typ header', async () => craft(key, serviceClaims(), { typ: 'at+jwt' })],
        ['the wrong audience (a control token on exec)', async () => craft(key, serviceClaims({ aud: CONTROL_AUDIENCE }))],
        ['an audience list naming us and another', async () => craft(key, serviceClaims({ aud: [EXEC_AUDIENCE, CONTROL_AUDIENCE] }))],
        ['the wrong issuer', async () => craft(key, serviceClaims({ iss: 'https://evil.test' }))],
        ['an expired token', async () => craft(key, serviceClaims({ iat: nowSeconds() - 1000, exp: nowSeconds() - 60 }))],
        ['a token not valid yet (nbf in the future)', async () => craft(key, serviceClaims({ nbf: nowSeconds() + 120 }))],
        ['no exp', async () => craft(key, withoutClaim('exp'))],
        ['no iat', async () => craft(key, withoutClaim('iat'))],
        ['no sub', async () => craft(key, withoutClaim('sub'))],
        ['no jti', async () => craft(key, withoutClaim('jti'))],
        ['no tid', async () => craft(key, withoutClaim('tid'))],
        ['no scope', async () => craft(key, withoutClaim('scope'))],
        ['no typ claim', async () => craft(key, withoutClaim('typ'))],
        ['an unknown typ claim', async () => craft(key, serviceClaims({ typ: 'admin' }))],
        ['an impersonation token without sid', async () => craft(key, serviceClaims({ typ: 'impersonation', act: { sub: 'op-1' } }))],
        ['an impersonation token without act', async () => craft(key, serviceClaims({ typ: 'impersonation', sid: 'sess-1' }))],
        ['an operator token without roles', async () => craft(key, serviceClaims({ typ: 'operator', tid: undefined, scope: undefined }))],
        ['not a JWT at all', async () => 'not-a-token'],
        ['an empty string', async () => ''],
      ];

      it.each(attacks)('%s', async (_name, make) => {
        await expectUnauthenticated(exec, await make());
      });
    });

    it('refuses an operator token where the audience is exec, and an exec token on control (both ways)', async () => {
      const issuer = new TokenIssuer(ring, ISSUER);
      const operator = await issuer.issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: ['OperatorAdmin'] }, 900);
      await expect(control.verify(operator.token)).resolves.toMatchObject({ sub: 'op-1' });
      await expectUnauthenticated(exec, operator.token);
      const service = await issuer.issue({ typ: 'service', aud: EXEC_AUDIENCE, sub: 'svc-1', tid: WORKSPACE, scope: 'execute' }, 900);
      await expectUnauthenticated(control, service.token);
    });

    it('refuses a token of another issuer configuration', async () => {
      const token = (await new TokenIssuer(ring, 'https://other-control.test').issue({ typ: 'service', aud: EXEC_AUDIENCE, sub: 'svc-1', tid: WORKSPACE, scope: 'execute' }, 60)).token;
      await expectUnauthenticated(exec, token);
    });

    it('tolerates 5 s of clock skew, not more', async () => {
      await expect(exec.verify(await craft(key, serviceClaims({ nbf: nowSeconds() + 3 })))).resolves.toBeDefined();
      await expectUnauthenticated(exec, await craft(key, serviceClaims({ nbf: nowSeconds() + 30 })));
    });

    describe('key rotation', () => {
      it('keeps accepting tokens of the previous key while it is in the ring, and stops once it is removed', async () => {
        const dir = tmpKeys('2026-01-01-a');
        const before = loadKeyRing({ dir, generateIfEmpty: false });
        const oldToken = (await new TokenIssuer(before, ISSUER).issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: [] }, 900)).token;

        // Step 1: the new key is published but the old one still signs.
        generateKeyFile(dir, '2026-02-01-a');
        const published = loadKeyRing({ dir, activeKid: '2026-01-01-a', generateIfEmpty: false });
        expect(published.jwks().keys.map((k) => k.kid)).toEqual(['2026-01-01-a', '2026-02-01-a']);
        expect(published.active.kid).toBe('2026-01-01-a');

        // Step 2: the new key signs; tokens of the old one still verify.
        const rotated = loadKeyRing({ dir, activeKid: '2026-02-01-a', generateIfEmpty: false });
        const newToken = (await new TokenIssuer(rotated, ISSUER).issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: 'op-1', roles: [] }, 900)).token;
        const verifier = createLocalVerifier(rotated, { issuer: ISSUER, audience: CONTROL_AUDIENCE });
        await expect(verifier.verify(oldToken)).resolves.toMatchObject({ sub: 'op-1' });
        await expect(verifier.verify(newToken)).resolves.toMatchObject({ sub: 'op-1' });

        // Step 3: the old key file is removed; its tokens are refused.
        rmSync(join(dir, '2026-01-01-a.private.pem'));
        const after = createLocalVerifier(loadKeyRing({ dir, generateIfEmpty: false }), { issuer: ISSUER, audience: CONTROL_AUDIENCE });
        await expectUnauthenticated(after, oldToken);
        await expect(after.verify(newToken)).resolves.toMatchObject({ sub: 'op-1' });
      });
    });
  });

  describe(createRemoteVerifier.name, () => {
    let server: Server;
    let served: KeyRing;
    let fetches: number;
    let jwksUrl: string;

    beforeAll(async () => {
      served = ring;
      fetches = 0;
      server = createServer((request, response) => {
        fetches += 1;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(served.jwks()));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });

    afterAll(async () => {
      jest.useRealTimers();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('verifies against the JWKS, fetching it once for many tokens', async () => {
      const verifier = createRemoteVerifier(jwksUrl, { issuer: ISSUER, audience: EXEC_AUDIENCE });
      const before = fetches;
      await expect(verifier.verify(await craft(key, serviceClaims()))).resolves.toMatchObject({ sub: 'svc-1' });
      await expect(verifier.verify(await craft(key, serviceClaims({ sub: 'svc-2' })))).resolves.toMatchObject({ sub: 'svc-2' });
      expect(fetches - before).toBe(1);
      await expectUnauthenticated(verifier, unsigned({ alg: 'none', kid: 'k1' }, serviceClaims()));
      await expectUnauthenticated(verifier, await craft(stranger, serviceClaims()));
    });

    it('picks up a rotated-in kid by refetching the JWKS on an unknown kid (after the 30 s cooldown)', async () => {
      const verifier = createRemoteVerifier(jwksUrl, { issuer: ISSUER, audience: EXEC_AUDIENCE });
      await verifier.verify(await craft(key, serviceClaims()));

      // control-api publishes a second key and starts signing with it.
      const dir = tmpKeys('k1-copy');
      generateKeyFile(dir, 'k2');
      const next = loadKeyRing({ dir, activeKid: 'k2', generateIfEmpty: false });
      served = new KeyRing(next.active, [key, next.active]);
      const newToken = await craft(next.active, serviceClaims());

      // Within the cooldown after a fetch an unknown kid is refused without refetching.
      await expectUnauthenticated(verifier, newToken);

      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
      jest.setSystemTime(Date.now() + 31_000);
      const fetched = fetches;
      await expect(verifier.verify(await craft(next.active, serviceClaims()))).resolves.toMatchObject({ sub: 'svc-1' });
      expect(fetches).toBe(fetched + 1);
      // The previous key is still in the set, so its tokens keep working.
      await expect(verifier.verify(await craft(key, serviceClaims()))).resolves.toMatchObject({ sub: 'svc-1' });
      jest.useRealTimers();
      served = ring;
    });

    it('refuses every token when the JWKS cannot be fetched', async () => {
      const verifier = createRemoteVerifier('http://127.0.0.1:9/.well-known/jwks.json', { issuer: ISSUER, audience: EXEC_AUDIENCE });
      await expectUnauthenticated(verifier, await craft(key, serviceClaims()));
    });
  });
});
