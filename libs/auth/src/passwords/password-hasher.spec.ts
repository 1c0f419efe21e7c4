import { DUMMY_PASSWORD_HASH, generateSecret, hashPassword, hashSecret, secretMatches, verifyPassword } from './password-hasher';

describe('password-hasher', () => {
  describe(hashPassword.name, () => {
    it('stores the scheme and its parameters with a fresh salt each time', async () => {
      const [first, second] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
      expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(first).not.toBe(second);
      expect(first).not.toContain('correct horse');
    });
  });

  describe(verifyPassword.name, () => {
    it('accepts the password the hash was made from', async () => {
      expect(await verifyPassword('correct horse battery', await hashPassword('correct horse battery'))).toBe(true);
    });

    it('refuses another password', async () => {
      const stored = await hashPassword('correct horse battery');
      expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
      expect(await verifyPassword('', stored)).toBe(false);
    });

    it('refuses a stored value of another scheme or shape instead of throwing', async () => {
      expect(await verifyPassword('x', 'bcrypt$2b$10$abc')).toBe(false);
      expect(await verifyPassword('x', 'plain')).toBe(false);
      expect(await verifyPassword('x', '')).toBe(false);
    });

    it('refuses everything against the dummy hash used for unknown accounts', async () => {
      expect(await verifyPassword('anything', DUMMY_PASSWORD_HASH)).toBe(false);
    });
  });

  describe(generateSecret.name, () => {
    it('prefixes 256 random bits, base64url', () => {
      const secret = generateSecret('ocs');
      expect(secret).toMatch(/^ocs_[A-Za-z0-9_-]{43}$/);
      expect(generateSecret('ocs')).not.toBe(secret);
    });
  });

  describe(secretMatches.name, () => {
    it('matches a secret against its stored sha256', () => {
      const secret = generateSecret('ocs');
      expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
      expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    });

    it('refuses another secret, and a stored value of the wrong length', () => {
      const stored = hashSecret(generateSecret('ocs'));
      expect(secretMatches(generateSecret('ocs'), stored)).toBe(false);
      expect(secretMatches('x', stored.slice(0, 10))).toBe(false);
      expect(secretMatches('x', '')).toBe(false);
    });
  });
});
