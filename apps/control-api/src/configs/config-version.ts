import { createHash } from 'node:crypto';
import { canonicalJson } from '@orch/auth';

/** Lowercase words of [a-z0-9] with `.`, `_` or `-` between them (`default`, `pricing.eu`). */
export const CONFIG_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** `v1`, `2025-01-31`, `1.4.0-rc1`: a letter or digit first, then letters, digits, `.`, `_`, `-`. */
export const CONFIG_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Upper bound of a version's data, measured on its canonical JSON. */
export const MAX_CONFIG_DATA_BYTES = 256 * 1024;

/** sha256 (hex) of the canonical JSON: the same content gives the same checksum whatever its key order. */
export function configChecksum(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

export function canonicalSize(data: unknown): number {
  return Buffer.byteLength(canonicalJson(data), 'utf8');
}

/** The default version of a new config: `v<N+1>` after the highest `v<N>` already there (other names ignored). */
export function nextVersion(existing: readonly string[]): string {
  let highest = 0;
  for (const version of existing) {
    const match = /^v(\d{1,9})$/.exec(version);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return `v${highest + 1}`;
}
