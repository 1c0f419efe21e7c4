import { randomBytes } from 'node:crypto';
import { EnvelopeError, openSecret, rewrapEnvelope, sealSecret } from './envelope';
import { MasterKeyring, masterKeyProblem, parseMasterKey } from './master-keyring';
import { parseSecretRef } from './secret-ref';

const spec = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const context = { workspaceId: '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11', secretName: 'stripe-key', version: 1 };

describe('sealSecret', () => {
  const keyring = MasterKeyring.fromEnv(spec('a'));

  it('round-trips a value under a fresh data key and IV each time', () => {
    const first = sealSecret('sk_live_1', context, keyring);
    const second = sealSecret('sk_live_1', context, keyring);
    expect(openSecret(first, context, keyring)).toBe('sk_live_1');
    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
    expect(first.iv).toHaveLength(12);
    expect(first.authTag).toHaveLength(16);
    expect(first.wrappedDataKey).toHaveLength(61);
    expect(first.masterKeyId).toBe('a');
  });

  it('refuses to open the envelope under another workspace, name or version', () => {
    const envelope = sealSecret('v', context, keyring);
    for (const other of [{ ...context, version: 2 }, { ...context, secretName: 'other' }, { ...context, workspaceId: '00000000-0000-4000-8000-000000000000' }]) {
      expect(() => openSecret(envelope, other, keyring)).toThrow(EnvelopeError);
    }
  });

  it('refuses a wrong master key of the same id, and an unknown id, without echoing key bytes', () => {
    const envelope = sealSecret('v', context, keyring);
    const wrong = MasterKeyring.fromEnv(spec('a'));
    expect(() => openSecret(envelope, context, wrong)).toThrow(/cannot unwrap/);
    expect(() => openSecret(envelope, context, MasterKeyring.fromEnv(spec('b')))).toThrow(/master key "a", which is neither/);
  });
});

describe('rewrapEnvelope', () => {
  it('moves the data key under the active key and leaves the ciphertext alone', () => {
    const a = spec('a');
    const envelope = sealSecret('value', context, MasterKeyring.fromEnv(a));
    const b = spec('b');
    const rotated = MasterKeyring.fromEnv(b, a);
    const next = { ...envelope, ...rewrapEnvelope(envelope, context, rotated) };
    expect(next.masterKeyId).toBe('b');
    expect(openSecret(next, context, MasterKeyring.fromEnv(b))).toBe('value');
    expect(() => openSecret(next, context, MasterKeyring.fromEnv(a))).toThrow(EnvelopeError);
  });
});

describe('MasterKeyring', () => {
  it('parses <id>:<base64 32 bytes> and names what is wrong without the key', () => {
    const raw = randomBytes(32).toString('base64');
    expect(parseMasterKey(`k1:${raw}`).key).toHaveLength(32);
    expect(masterKeyProblem(raw)).toMatch(/<id>:<base64/);
    expect(masterKeyProblem(`k1:${randomBytes(16).toString('base64')}`)).toMatch(/exactly 32 bytes/);
    expect(masterKeyProblem(`bad id:${raw}`)).toMatch(/key id/);
    expect(masterKeyProblem(`k1:${randomBytes(16).toString('base64')}`)).not.toContain(raw);
  });

  it('refuses one id with two different keys and never serializes key bytes', () => {
    expect(() => MasterKeyring.fromEnv(spec('a'), spec('a'))).toThrow(/given twice/);
    const keyring = MasterKeyring.fromEnv(spec('a'), `${spec('b')}, ${spec('c')}`);
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ active: 'a', ids: ['a', 'b', 'c'] });
  });
});

describe('parseSecretRef', () => {
  it('reads env and vault refs, with an optional vault version', () => {
    expect(parseSecretRef('env://STRIPE_KEY')).toEqual({ kind: 'env', name: 'STRIPE_KEY' });
    expect(parseSecretRef('vault://stripe-key')).toEqual({ kind: 'vault', name: 'stripe-key', version: null });
    expect(parseSecretRef('vault://stripe-key#3')).toEqual({ kind: 'vault', name: 'stripe-key', version: 3 });
    for (const bad of ['env://lower', 'env://', 'vault://', 'vault://a#0', 'http://x', 'vault://a b']) expect(parseSecretRef(bad)).toBeNull();
  });
});
