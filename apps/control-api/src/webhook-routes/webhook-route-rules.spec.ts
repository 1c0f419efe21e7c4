import { forwardUrlProblem, generateRouteKey, ingressPath, targetProblems, toStoredVerification, verificationProblems } from './webhook-route-rules';

describe('generateRouteKey', () => {
  it('encodes 32 random bytes as base64url', () => {
    expect(generateRouteKey((size) => Buffer.alloc(size, 0))).toBe('A'.repeat(43));
    expect(generateRouteKey()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('ingressPath', () => {
  it('puts provider and key under /v1/webhooks', () => {
    expect(ingressPath('stripe', 'abc')).toBe('/v1/webhooks/stripe/abc');
  });
});

describe('forwardUrlProblem', () => {
  it('accepts https everywhere and http only in dev and test', () => {
    expect(forwardUrlProblem('https://example.com/hook', 'prod')).toBeNull();
    expect(forwardUrlProblem('http://localhost:3000/hook', 'dev')).toBeNull();
    expect(forwardUrlProblem('http://localhost:3000/hook', 'test')).toBeNull();
    expect(forwardUrlProblem('http://example.com/hook', 'prod')).toBe('must be an https URL');
  });

  it('refuses other schemes, relative URLs and credentials', () => {
    expect(forwardUrlProblem('ftp://example.com', 'dev')).toBe('must be an http(s) URL');
    expect(forwardUrlProblem('/hook', 'dev')).toBe('must be an absolute URL');
    expect(forwardUrlProblem('https://user:pw@example.com', 'dev')).toMatch(/credentials/);
  });
});

describe('targetProblems', () => {
  it('requires the fields of the kind and refuses the others, with paths', () => {
    expect(targetProblems({ kind: 'forward' }, 'dev')).toEqual([{ path: '/target/url', message: 'is required for kind forward' }]);
    expect(targetProblems({ kind: 'store', url: 'https://x.test' }, 'dev')).toEqual([{ path: '/target/url', message: 'is not allowed for kind store' }]);
    expect(targetProblems({ kind: 'connector', connector: 'c' }, 'dev')).toEqual([{ path: '/target/operation', message: 'is required for kind connector' }]);
    expect(targetProblems({ kind: 'nope' }, 'dev')).toEqual([expect.objectContaining({ path: '/target/kind' })]);
    expect(targetProblems({ kind: 'forward', url: 'http://x.test' }, 'prod')).toEqual([{ path: '/target/url', message: 'must be an https URL' }]);
    expect(targetProblems({ kind: 'connector', connector: 'c', operation: 'o' }, 'prod')).toEqual([]);
  });
});

describe('verificationProblems', () => {
  it('requires verification for hmac-sha256 only, and refuses it for the fixed schemes', () => {
    expect(verificationProblems('hmac-sha256', undefined)).toEqual([expect.objectContaining({ path: '/verification' })]);
    expect(verificationProblems('stripe', { header_name: 'x', encoding: 'hex', event_id_path: '$.id' })).toEqual([expect.objectContaining({ path: '/verification' })]);
    expect(verificationProblems('stripe', undefined)).toEqual([]);
  });
});

describe('toStoredVerification', () => {
  it('fixes the scheme and tolerance of stripe and standard-webhooks', () => {
    expect(toStoredVerification('stripe', undefined)).toEqual({ scheme: 'stripe', tolerance_seconds: 300 });
  });

  it('keeps the hmac parameters with a lowercase header', () => {
    expect(toStoredVerification('hmac-sha256', { header_name: 'X-Sig', encoding: 'base64', event_id_path: '$.id', prefix: 'sha256=' })).toEqual({
      scheme: 'hmac-sha256',
      header: 'x-sig',
      encoding: 'base64',
      event_id_path: '$.id',
      prefix: 'sha256=',
    });
  });
});
