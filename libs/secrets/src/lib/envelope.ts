import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey, MasterKeyring } from './master-keyring';

/** Where a ciphertext belongs: bound into the AAD so it cannot be moved to another row. */
export interface EnvelopeContext {
  workspaceId: string;
  secretName: string;
  version: number;
}

/** What secret_values stores of one version; `wrappedDataKey` packs its own IV and tag. */
export interface Envelope {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  wrappedDataKey: Buffer;
  masterKeyId: string;
}

export type RandomBytes = (size: number) => Buffer;

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
/** Format byte of the packed wrapped data key: 0x01 = [format][iv 12][tag 16][AES-GCM(data key) 32]. */
const WRAP_FORMAT = 0x01;
const WRAPPED_BYTES = 1 + IV_BYTES + TAG_BYTES + DATA_KEY_BYTES;

/** Why an envelope could not be opened; the message never carries key or value bytes. */
export class EnvelopeError extends Error {
  constructor(
    readonly reason: 'unknown_master_key' | 'cannot_unwrap' | 'cannot_decrypt',
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

function valueAad(context: EnvelopeContext): Buffer {
  return Buffer.from(`orch-secret-value/v1\0${JSON.stringify([context.workspaceId, context.secretName, context.version])}`, 'utf8');
}

function dataKeyAad(masterKeyId: string, context: EnvelopeContext): Buffer {
  return Buffer.from(`orch-data-key/v1\0${JSON.stringify([masterKeyId, context.workspaceId, context.secretName, context.version])}`, 'utf8');
}

function gcmEncrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** Null when the tag does not verify (wrong key, wrong AAD or tampered bytes). */
function gcmDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

export function wrapDataKey(dataKey: Buffer, masterKey: MasterKey, context: EnvelopeContext, random: RandomBytes = randomBytes): Buffer {
  const iv = random(IV_BYTES);
  const { ciphertext, tag } = gcmEncrypt(masterKey.key, iv, dataKey, dataKeyAad(masterKey.id, context));
  return Buffer.concat([Buffer.from([WRAP_FORMAT]), iv, tag, ciphertext]);
}

export function unwrapDataKey(wrapped: Buffer, masterKeyId: string, keyring: MasterKeyring, context: EnvelopeContext): Buffer {
  const masterKey = keyring.keyOf(masterKeyId);
  if (!masterKey) throw new EnvelopeError('unknown_master_key', `wrapped by master key "${masterKeyId}", which is neither ORCH_MASTER_KEY nor in ORCH_MASTER_KEYS_PREVIOUS`);
  if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_FORMAT) throw new EnvelopeError('cannot_unwrap', 'the wrapped data key is malformed');
  const iv = wrapped.subarray(1, 1 + IV_BYTES);
  const tag = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const body = wrapped.subarray(1 + IV_BYTES + TAG_BYTES);
  const dataKey = gcmDecrypt(masterKey, iv, body, tag, dataKeyAad(masterKeyId, context));
  if (!dataKey) throw new EnvelopeError('cannot_unwrap', `master key "${masterKeyId}" cannot unwrap the data key (wrong key, or the row was altered)`);
  return dataKey;
}

/** A fresh data key per version encrypts the value; the active master key wraps the data key. */
export function sealSecret(value: string, context: EnvelopeContext, keyring: MasterKeyring, random: RandomBytes = randomBytes): Envelope {
  const dataKey = random(DATA_KEY_BYTES);
  const iv = random(IV_BYTES);
  try {
    const { ciphertext, tag } = gcmEncrypt(dataKey, iv, Buffer.from(value, 'utf8'), valueAad(context));
    return { ciphertext, iv, authTag: tag, wrappedDataKey: wrapDataKey(dataKey, keyring.active, context, random), masterKeyId: keyring.activeId };
  } finally {
    dataKey.fill(0);
  }
}

export function openSecret(envelope: Envelope, context: EnvelopeContext, keyring: MasterKeyring): string {
  const dataKey = unwrapDataKey(envelope.wrappedDataKey, envelope.masterKeyId, keyring, context);
  try {
    const plaintext = gcmDecrypt(dataKey, envelope.iv, envelope.ciphertext, envelope.authTag, valueAad(context));
    if (!plaintext) throw new EnvelopeError('cannot_decrypt', 'the ciphertext does not verify (altered, or moved from another row)');
    return plaintext.toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same data key wrapped by the active master key; the ciphertext is untouched. */
export function rewrapEnvelope(envelope: Pick<Envelope, 'wrappedDataKey' | 'masterKeyId'>, context: EnvelopeContext, keyring: MasterKeyring, random: RandomBytes = randomBytes): Pick<Envelope, 'wrappedDataKey' | 'masterKeyId'> {
  const dataKey = unwrapDataKey(envelope.wrappedDataKey, envelope.masterKeyId, keyring, context);
  try {
    return { wrappedDataKey: wrapDataKey(dataKey, keyring.active, context, random), masterKeyId: keyring.activeId };
  } finally {
    dataKey.fill(0);
  }
}
