import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyFailureReason, VerifyInput, VerifyResult, WebhookSecret } from './webhook-verification.types';

export const DEFAULT_TOLERANCE_SECONDS = 300;
export const SHA256_BYTES = 32;

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// 12 digits reach year 33658; longer values are noise, and they keep Number() exact.
const UNIX_SECONDS = /^\d{1,12}$/;

export type HeaderRead = { ok: true; value: string } | { ok: false; reason: VerifyFailureReason };

export function fail(reason: VerifyFailureReason): VerifyResult {
  return { ok: false, reason };
}

/**
 * A header's single value. Empty counts as missing; a repeated header is refused because we
 * cannot know which copy the sender meant.
 */
export function readHeader(headers: VerifyInput['headers'], name: string): HeaderRead {
  const raw: unknown = headers?.[name.toLowerCase()];
  const values = Array.isArray(raw) ? raw : [raw];
  const present = values.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (present.length === 0) return { ok: false, reason: 'missing_header' };
  if (present.length > 1) return { ok: false, reason: 'malformed_header' };
  return { ok: true, value: present[0].trim() };
}

/** Secrets still valid at `now`; an unparsable `expiresAt` or clock counts as expired (fail closed). */
export function usableSecretValues(secrets: readonly WebhookSecret[], now: Date): string[] {
  const nowMs = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Array.isArray(secrets)) return [];
  return secrets
    .filter((s) => typeof s?.value === 'string' && s.value !== '')
    .filter((s) => s.expiresAt == null || (s.expiresAt instanceof Date && s.expiresAt.getTime() > nowMs))
    .map((s) => s.value);
}

export function hmacSha256(key: Buffer, ...parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * True when any candidate equals any expected digest. Every pair of equal length is compared in
 * constant time and the loop never stops early, so timing reveals neither which nor how many matched.
 */
export function anyDigestMatches(expected: readonly Buffer[], candidates: readonly Buffer[]): boolean {
  let matched = false;
  for (const digest of expected) {
    for (const candidate of candidates) {
      if (candidate.length === digest.length && timingSafeEqual(candidate, digest)) matched = true;
    }
  }
  return matched;
}

export function decodeHex(value: string): Buffer | undefined {
  return value.length % 2 === 0 && HEX.test(value) ? Buffer.from(value, 'hex') : undefined;
}

export function decodeBase64(value: string): Buffer | undefined {
  return value !== '' && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

export function parseUnixSeconds(value: string): number | undefined {
  return UNIX_SECONDS.test(value) ? Number(value) : undefined;
}

/** Both directions: a timestamp too far in the future is as suspect as a stale one. */
export function isWithinTolerance(timestampSeconds: number, now: Date, toleranceSeconds: number | undefined): boolean {
  const tolerance =
    typeof toleranceSeconds === 'number' && Number.isFinite(toleranceSeconds) && toleranceSeconds >= 0 ? toleranceSeconds : DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = now instanceof Date ? Math.floor(now.getTime() / 1000) : Number.NaN;
  // An invalid clock yields NaN, which must not slip through a `>` comparison.
  if (!Number.isFinite(nowSeconds)) return false;
  return Math.abs(nowSeconds - timestampSeconds) <= tolerance;
}
