import { generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * The keys control-api signs with: one active key signs, every key in the ring verifies and
 * is published in the JWKS, so tokens signed by the previous key stay valid while a rotation
 * runs (see docs/04_security_model.md, "Key rotation").
 */
export class KeyRing {
  constructor(
    readonly active: SigningKey,
    readonly all: readonly SigningKey[],
  ) {}

  find(kid: string | undefined): SigningKey | undefined {
    return this.all.find((key) => key.kid === kid);
  }

  jwks(): { keys: JWK[] } {
    return {
      keys: this.all.map((key) => ({ ...(key.publicKey.export({ format: 'jwk' }) as JWK), kid: key.kid, alg: SIGNING_ALGORITHM, use: 'sig' })),
    };
  }
}

const KEY_FILE = /^([A-Za-z0-9._-]{1,64})\.private\.pem$/;

export interface KeyRingOptions {
  /** Folder of `<kid>.private.pem` files (PKCS#8 Ed25519). */
  dir: string;
  /** Which kid signs; default the last in name order (name kids by date: 2026-11-27-a). */
  activeKid?: string;
  /** dev/test only: create a first key when the folder has none. */
  generateIfEmpty: boolean;
}

export class KeyRingError extends Error {}

export function loadKeyRing(options: KeyRingOptions): KeyRing {
  const files = existsSync(options.dir) ? readdirSync(options.dir).filter((f) => KEY_FILE.test(f)).sort() : [];
  if (files.length === 0) {
    if (!options.generateIfEmpty) {
      throw new KeyRingError(`ORCH_JWT_KEYS_DIR: no <kid>.private.pem signing key in ${options.dir} (generate one with \`orchctl keys generate\` or openssl genpkey -algorithm ed25519)`);
    }
    generateKeyFile(options.dir, `dev-${new Date().toISOString().slice(0, 10)}`);
    return loadKeyRing({ ...options, generateIfEmpty: false });
  }
  const keys = files.map((file) => {
    const kid = KEY_FILE.exec(file)?.[1] ?? file;
    const privateKey = createPrivateKey(readFileSync(join(options.dir, file)));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new KeyRingError(`ORCH_JWT_KEYS_DIR: ${file} is not an Ed25519 key`);
    return { kid, privateKey, publicKey: createPublicKey(privateKey) };
  });
  const active = options.activeKid ? keys.find((k) => k.kid === options.activeKid) : keys[keys.length - 1];
  if (!active) throw new KeyRingError(`ORCH_JWT_ACTIVE_KID: no key named ${options.activeKid} in ${options.dir}`);
  return new KeyRing(active, keys);
}

/** Writes a new Ed25519 private key as `<kid>.private.pem` (mode 0600). */
export function generateKeyFile(dir: string, kid: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const path = join(dir, `${kid}.private.pem`);
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return path;
}
