import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyFile, KeyRing, KeyRingError, loadKeyRing, SIGNING_ALGORITHM } from './key-ring';

describe(KeyRing.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-key-ring-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe(generateKeyFile.name, () => {
    it('writes an Ed25519 PKCS#8 key as <kid>.private.pem readable by its owner only', () => {
      const path = generateKeyFile(dir, '2026-01-01-a');
      expect(path).toBe(join(dir, '2026-01-01-a.private.pem'));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(loadKeyRing({ dir, generateIfEmpty: false }).active.privateKey.asymmetricKeyType).toBe('ed25519');
    });

    it('never overwrites an existing key', () => {
      generateKeyFile(dir, 'k1');
      expect(() => generateKeyFile(dir, 'k1')).toThrow(/EEXIST/);
    });

    it('creates a missing folder', () => {
      const nested = join(dir, 'a', 'b');
      generateKeyFile(nested, 'k1');
      expect(readdirSync(nested)).toEqual(['k1.private.pem']);
    });
  });

  describe(loadKeyRing.name, () => {
    it('signs with the last kid in name order and verifies with all', () => {
      generateKeyFile(dir, '2026-01-01-a');
      generateKeyFile(dir, '2026-03-01-a');
      generateKeyFile(dir, '2026-02-01-a');
      const ring = loadKeyRing({ dir, generateIfEmpty: false });
      expect(ring.active.kid).toBe('2026-03-01-a');
      expect(ring.all.map((k) => k.kid)).toEqual(['2026-01-01-a', '2026-02-01-a', '2026-03-01-a']);
    });

    it('signs with the chosen kid (ORCH_JWT_ACTIVE_KID)', () => {
      generateKeyFile(dir, 'a');
      generateKeyFile(dir, 'b');
      expect(loadKeyRing({ dir, activeKid: 'a', generateIfEmpty: false }).active.kid).toBe('a');
    });

    it('refuses an active kid that is not in the folder, naming ORCH_JWT_ACTIVE_KID', () => {
      generateKeyFile(dir, 'a');
      expect(() => loadKeyRing({ dir, activeKid: 'missing', generateIfEmpty: false })).toThrow(KeyRingError);
      expect(() => loadKeyRing({ dir, activeKid: 'missing', generateIfEmpty: false })).toThrow(/ORCH_JWT_ACTIVE_KID/);
    });

    it('refuses a key that is not Ed25519', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(join(dir, 'rsa.private.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
      expect(() => loadKeyRing({ dir, generateIfEmpty: false })).toThrow(/ORCH_JWT_KEYS_DIR: rsa\.private\.pem is not an Ed25519 key/);
    });

    it('ignores files that are not <kid>.private.pem', () => {
      generateKeyFile(dir, 'a');
      writeFileSync(join(dir, 'README'), 'notes');
      writeFileSync(join(dir, 'a.public.pem'), 'x');
      expect(loadKeyRing({ dir, generateIfEmpty: false }).all.map((k) => k.kid)).toEqual(['a']);
    });

    it('refuses an empty folder in prod (generateIfEmpty: false), naming ORCH_JWT_KEYS_DIR', () => {
      expect(() => loadKeyRing({ dir, generateIfEmpty: false })).toThrow(KeyRingError);
      expect(() => loadKeyRing({ dir, generateIfEmpty: false })).toThrow(/^ORCH_JWT_KEYS_DIR: no <kid>\.private\.pem signing key/);
      expect(() => loadKeyRing({ dir: join(dir, 'absent'), generateIfEmpty: false })).toThrow(/ORCH_JWT_KEYS_DIR/);
    });

    it('creates a first dev key in an empty or missing folder when allowed', () => {
      const target = join(dir, 'jwt');
      const ring = loadKeyRing({ dir: target, generateIfEmpty: true });
      expect(ring.active.kid).toMatch(/^dev-\d{4}-\d{2}-\d{2}$/);
      expect(readdirSync(target)).toEqual([`${ring.active.kid}.private.pem`]);
      // The second start reuses it.
      expect(loadKeyRing({ dir: target, generateIfEmpty: true }).active.kid).toBe(ring.active.kid);
    });
  });

  describe('find', () => {
    it('finds a key by kid, and nothing for an unknown or absent kid', () => {
      generateKeyFile(dir, 'a');
      const ring = loadKeyRing({ dir, generateIfEmpty: false });
      expect(ring.find('a')?.kid).toBe('a');
      expect(ring.find('b')).toBeUndefined();
      expect(ring.find(undefined)).toBeUndefined();
    });
  });

  describe('jwks', () => {
    it('publishes every key with kid, alg and use, and no private part', () => {
      generateKeyFile(dir, 'a');
      generateKeyFile(dir, 'b');
      const jwks = loadKeyRing({ dir, generateIfEmpty: false }).jwks();
      expect(jwks.keys).toHaveLength(2);
      for (const [index, key] of jwks.keys.entries()) {
        expect(key).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kid: ['a', 'b'][index], alg: SIGNING_ALGORITHM, use: 'sig' });
        expect(key).not.toHaveProperty('d');
      }
      expect(JSON.stringify(jwks)).not.toMatch(/"d"|PRIVATE/);
    });
  });
});
