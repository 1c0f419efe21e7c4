import { clearedSessionCookie, csrfTokenMatches, generateOpaqueId, sessionCookie, sessionIdFromCookieHeader, sessionKeyOf } from './session-cookie';

describe('session cookie', () => {
  const id = generateOpaqueId();

  it('mints 256-bit base64url ids, never the same twice', () => {
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(generateOpaqueId()).not.toBe(id);
  });

  it('stores only a sha256 of the id', () => {
    expect(sessionKeyOf(id)).toMatch(/^console:session:[0-9a-f]{64}$/);
    expect(sessionKeyOf(id)).not.toContain(id);
  });

  it('finds its cookie among others and ignores malformed values', () => {
    expect(sessionIdFromCookieHeader(`theme=dark; orch_session=${id}; other=1`)).toBe(id);
    expect(sessionIdFromCookieHeader(`orch_session=${id}`)).toBe(id);
    expect(sessionIdFromCookieHeader(undefined)).toBeUndefined();
    expect(sessionIdFromCookieHeader('orch_session=')).toBeUndefined();
    expect(sessionIdFromCookieHeader('orch_session=short')).toBeUndefined();
    expect(sessionIdFromCookieHeader(`xorch_session=${id}`)).toBeUndefined();
    expect(sessionIdFromCookieHeader(`orch_session=${id}!`)).toBeUndefined();
  });

  it('sets HttpOnly, SameSite=Strict, Path=/ and Max-Age, Secure only when asked', () => {
    expect(sessionCookie(id, { maxAgeSeconds: 600, secure: false })).toBe(`orch_session=${id}; Path=/; Max-Age=600; HttpOnly; SameSite=Strict`);
    expect(sessionCookie(id, { maxAgeSeconds: 600, secure: true })).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/^orch_session=; Path=\/; Max-Age=0; .*HttpOnly; SameSite=Strict$/);
  });

  it('compares CSRF tokens exactly', () => {
    expect(csrfTokenMatches(id, id)).toBe(true);
    expect(csrfTokenMatches(id, [id])).toBe(true);
    expect(csrfTokenMatches(id, undefined)).toBe(false);
    expect(csrfTokenMatches(id, `${id}x`)).toBe(false);
    expect(csrfTokenMatches(id, id.replace(/^./, id[0] === 'a' ? 'b' : 'a'))).toBe(false);
  });
});
