import { appendQuery, assembleHeaders, authHeader, fillPathTemplate, remainingPayload, resolveUrl, USER_AGENT } from './http-request-builder';
import { InvalidCallError } from './invalid-call-error';

describe('fillPathTemplate', () => {
  it('fills placeholders URL-encoded and reports the fields it used', () => {
    const { path, used } = fillPathTemplate('/users/{id}/files/{name}', { id: 42, name: 'a b/c?d', other: 'x' });
    expect(path).toBe('/users/42/files/a%20b%2Fc%3Fd');
    expect([...used]).toEqual(['id', 'name']);
  });

  it('leaves a template without placeholders alone', () => {
    expect(fillPathTemplate('/health', { a: 1 })).toEqual({ path: '/health', used: new Set() });
  });

  it.each([[{}], [{ id: null }], [{ id: { nested: 1 } }], [{ id: ['a'] }]])('throws InvalidCallError when the value is missing or not a scalar (%j)', (payload) => {
    expect(() => fillPathTemplate('/users/{id}', payload)).toThrow(InvalidCallError);
  });

  it('names the field, never the payload, in its message', () => {
    expect(() => fillPathTemplate('/x/{token}', { token: { secret: 'sk_live_zzz' } })).toThrow(/\{token\}/);
    expect(() => fillPathTemplate('/x/{token}', { token: { secret: 'sk_live_zzz' } })).not.toThrow(/sk_live_zzz/);
  });
});

describe('remainingPayload', () => {
  it('drops the fields the path used', () => {
    expect(remainingPayload({ id: 1, q: 'x', n: 2 }, new Set(['id']))).toEqual({ q: 'x', n: 2 });
  });
});

describe('resolveUrl', () => {
  it('appends the path to the base URL path', () => {
    expect(resolveUrl('https://api.example.com/v2/', '/users').href).toBe('https://api.example.com/v2/users');
    expect(resolveUrl('https://api.example.com', '/users?x=1').href).toBe('https://api.example.com/users?x=1');
  });

  it('takes an absolute path as is', () => {
    expect(resolveUrl(undefined, 'https://other.example.com/a').href).toBe('https://other.example.com/a');
  });

  it('throws InvalidCallError for a relative path without base_url', () => {
    expect(() => resolveUrl(undefined, '/a')).toThrow(InvalidCallError);
  });
});

describe('appendQuery', () => {
  it('adds scalars once and arrays as repeated keys, skipping null', () => {
    const url = new URL('https://h.example/p?fixed=1');
    appendQuery(url, { q: 'a b', n: 3, ok: true, tag: ['x', 'y'], none: null });
    expect(url.search).toBe('?fixed=1&q=a+b&n=3&ok=true&tag=x&tag=y');
  });

  it('refuses nested objects', () => {
    expect(() => appendQuery(new URL('https://h.example/'), { filter: { a: 1 } })).toThrow(InvalidCallError);
  });
});

describe('authHeader', () => {
  const secrets = { '/auth/secret_ref': 's3cr3t' };

  it('builds bearer, custom header and basic credentials from the secret', () => {
    expect(authHeader({ kind: 'bearer', secret_ref: 'r' }, secrets)).toEqual(['authorization', 'Bearer s3cr3t']);
    expect(authHeader({ kind: 'header', header_name: 'X-Api-Key', secret_ref: 'r' }, secrets)).toEqual(['x-api-key', 's3cr3t']);
    expect(authHeader({ kind: 'basic', username: 'bob', secret_ref: 'r' }, secrets)).toEqual(['authorization', `Basic ${Buffer.from('bob:s3cr3t').toString('base64')}`]);
    expect(authHeader({ kind: 'none' }, secrets)).toBeUndefined();
    expect(authHeader(undefined, secrets)).toBeUndefined();
  });

  it('throws InvalidCallError naming the pointer when the secret is missing', () => {
    expect(() => authHeader({ kind: 'bearer', secret_ref: 'r' }, {})).toThrow(new InvalidCallError('secret for /auth/secret_ref is not available'));
  });
});

describe('assembleHeaders', () => {
  it('layers defaults, operation headers, auth, then the execution id; names lower-cased', () => {
    const headers = assembleHeaders({
      defaults: { Accept: 'application/json', 'X-Team': 'a', Authorization: 'from-config' },
      operation: { 'X-Team': 'b' },
      auth: ['authorization', 'Bearer t'],
      executionId: 'e1',
    });
    expect(headers).toEqual({ 'user-agent': USER_AGENT, accept: 'application/json', 'x-team': 'b', authorization: 'Bearer t', 'x-orchestrator-execution-id': 'e1' });
  });

  it('keeps a user-agent the connector sets', () => {
    expect(assembleHeaders({ defaults: { 'User-Agent': 'mine' }, executionId: 'e' })['user-agent']).toBe('mine');
  });
});
