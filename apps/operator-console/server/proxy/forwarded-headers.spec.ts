import { isMutating, returnedResponseHeaders, upstreamPathOf, upstreamRequestHeaders } from './forwarded-headers';

describe('forwarded headers', () => {
  describe(upstreamRequestHeaders.name, () => {
    it('passes the allowed browser headers and adds the bearer token, request id and client address', () => {
      const headers = upstreamRequestHeaders(
        { cookie: 'orch_session=x', authorization: 'Bearer forged', 'idempotency-key': 'k1', 'last-event-id': '42', traceparent: 'tp', accept: 'text/event-stream', host: 'console', 'x-reason': 'why' },
        { requestId: 'rid-1', token: 'tok', ip: '127.0.0.1' },
      );
      expect(headers).toEqual({
        accept: 'text/event-stream',
        'idempotency-key': 'k1',
        'x-reason': 'why',
        'last-event-id': '42',
        traceparent: 'tp',
        'x-request-id': 'rid-1',
        authorization: 'Bearer tok',
        'x-forwarded-for': '127.0.0.1',
      });
    });
  });

  describe(returnedResponseHeaders.name, () => {
    it('returns only safe headers, never set-cookie or authorization', () => {
      const headers = returnedResponseHeaders({
        'content-type': 'application/json',
        'set-cookie': ['a=b'],
        authorization: 'Bearer x',
        'RateLimit-Remaining': '3',
        'retry-after': '2',
        'idempotent-replayed': 'true',
        location: '/v1/jobs/1',
        'x-powered-by': 'x',
        'content-length': '10',
      });
      expect(headers).toEqual({ 'content-type': 'application/json', 'ratelimit-remaining': '3', 'retry-after': '2', 'idempotent-replayed': 'true', location: '/v1/jobs/1' });
    });
  });

  describe(upstreamPathOf.name, () => {
    it('strips the prefix and keeps the query string', () => {
      expect(upstreamPathOf('/api/control/v1/workspaces?limit=2', '/api/control')).toBe('v1/workspaces?limit=2');
      expect(upstreamPathOf('/api/exec/v1/events/stream', '/api/exec')).toBe('v1/events/stream');
    });

    it('refuses dot segments, raw or encoded, and other prefixes', () => {
      expect(upstreamPathOf('/api/control/v1/../../x', '/api/control')).toBeUndefined();
      expect(upstreamPathOf('/api/control/%2e%2e/x', '/api/control')).toBeUndefined();
      expect(upstreamPathOf('/api/control//evil.example/x', '/api/control')).toBeUndefined();
      expect(upstreamPathOf('/api/exec/v1/x', '/api/control')).toBeUndefined();
    });
  });

  it('treats everything but GET and HEAD as a mutation', () => {
    expect(['GET', 'HEAD'].map(isMutating)).toEqual([false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(isMutating)).toEqual([true, true, true, true, true]);
  });
});
