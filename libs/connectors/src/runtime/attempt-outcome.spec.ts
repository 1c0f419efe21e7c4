import { EgressBlockedError } from '../egress/egress-blocked-error';
import { classifyHttpError, parseResponseBody, pickResponseHeaders } from './attempt-outcome';
import { InvalidCallError } from './invalid-call-error';

const calm = { totalExpired: false, callerAborted: false };
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('classifyHttpError', () => {
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
    ['UND_ERR_HEADERS_TIMEOUT', 'read'],
    ['UND_ERR_BODY_TIMEOUT', 'read'],
  ])('%s → timeout %s', (code, phase) => {
    expect(classifyHttpError(coded(code), calm, 5)).toEqual({ kind: 'timeout', phase, message: code, durationMs: 5 });
  });

  it('the total deadline wins over whatever error the abort produced', () => {
    expect(classifyHttpError(new DOMException('aborted', 'TimeoutError'), { totalExpired: true, callerAborted: false }, 9)).toMatchObject({ kind: 'timeout', phase: 'total' });
  });

  it('a caller abort is a network failure', () => {
    expect(classifyHttpError(new DOMException('aborted', 'AbortError'), { totalExpired: false, callerAborted: true }, 1)).toMatchObject({ kind: 'network' });
  });

  it('EgressBlockedError, also when wrapped in cause or an AggregateError → blocked', () => {
    const blocked = new EgressBlockedError('127.0.0.1', 'loopback', '127.0.0.1');
    expect(classifyHttpError(blocked, calm, 0)).toEqual({ kind: 'blocked', error: blocked, durationMs: 0 });
    expect(classifyHttpError(new Error('fetch failed', { cause: blocked }), calm, 0)).toMatchObject({ kind: 'blocked', error: blocked });
    expect(classifyHttpError(new AggregateError([coded('ECONNREFUSED'), blocked]), calm, 0)).toMatchObject({ kind: 'blocked' });
  });

  it('socket errors → network with code and message', () => {
    expect(classifyHttpError(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), calm, 2)).toEqual({ kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:9', durationMs: 2 });
    expect(classifyHttpError(coded('UND_ERR_SOCKET', 'other side closed'), calm, 2)).toEqual({ kind: 'network', message: 'UND_ERR_SOCKET: other side closed', durationMs: 2 });
  });

  it('InvalidCallError → invalid', () => {
    expect(classifyHttpError(new InvalidCallError('bad'), calm, 0)).toEqual({ kind: 'invalid', message: 'bad', durationMs: 0 });
  });
});

describe('pickResponseHeaders', () => {
  it('keeps only the policy-relevant headers, lower-cased, arrays joined', () => {
    expect(
      pickResponseHeaders({
        'Retry-After': '3',
        'content-type': 'application/json',
        'x-request-id': 'r',
        'request-id': 'q',
        location: '/next',
        'ratelimit-remaining': '0',
        ratelimit: 'limit=1',
        'set-cookie': ['a=1', 'b=2'],
        server: 'x',
        'x-ratelimit': '1',
      }),
    ).toEqual({ 'retry-after': '3', 'content-type': 'application/json', 'x-request-id': 'r', 'request-id': 'q', location: '/next', 'ratelimit-remaining': '0', ratelimit: 'limit=1' });
  });
});

describe('parseResponseBody', () => {
  it('parses JSON content types', () => {
    expect(parseResponseBody('application/json; charset=utf-8', Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(parseResponseBody('application/problem+json', Buffer.from('[1]'))).toEqual([1]);
  });

  it('falls back to { body } for bad JSON and other types; empty is {}', () => {
    expect(parseResponseBody('application/json', Buffer.from('{nope'))).toEqual({ body: '{nope' });
    expect(parseResponseBody('text/plain', Buffer.from('hi'))).toEqual({ body: 'hi' });
    expect(parseResponseBody(undefined, Buffer.from('hi'))).toEqual({ body: 'hi' });
    expect(parseResponseBody('application/json', Buffer.alloc(0))).toEqual({});
  });
});
