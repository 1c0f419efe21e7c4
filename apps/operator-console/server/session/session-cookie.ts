import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'orch_session';
export const CSRF_HEADER = 'x-csrf-token';

/** 256 random bits, base64url (43 characters): session ids and CSRF tokens. */
export function generateOpaqueId(): string {
  return randomBytes(32).toString('base64url');
}

const OPAQUE_ID = /^[A-Za-z0-9_-]{43}$/;

/** Only the hash of a session id is ever stored, so a Redis dump does not hand out sessions. */
export function sessionKeyOf(sessionId: string): string {
  return `console:session:${createHash('sha256').update(sessionId).digest('hex')}`;
}

/** The session id from a Cookie header, or undefined when absent or not shaped like one of ours. */
export function sessionIdFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    if (pair.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(at + 1).trim();
    if (OPAQUE_ID.test(value)) return value;
  }
  return undefined;
}

export interface SessionCookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

/** `orch_session=<id>; Path=/; Max-Age=…; HttpOnly; SameSite=Strict[; Secure]`. */
export function sessionCookie(sessionId: string, options: SessionCookieOptions): string {
  return [`${SESSION_COOKIE}=${sessionId}`, 'Path=/', `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Tells the browser to drop the cookie (same attributes, empty value, expired). */
export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Constant-time comparison of the x-csrf-token header with the session's token. */
export function csrfTokenMatches(expected: string, presented: string | string[] | undefined): boolean {
  const value = Array.isArray(presented) ? presented[0] : presented;
  if (typeof value !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(value);
  return a.length === b.length && timingSafeEqual(a, b);
}
