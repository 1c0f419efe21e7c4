import { DomainError } from './domain-error';
import { ERROR_CODES, ERROR_STATUS, httpStatusOf, isErrorCode } from './error-codes';
import { toJsonPointer } from './json-pointer';
import { isWellFormedRequestId } from '../request-id';

describe('ERROR_STATUS', () => {
  it('keeps the statuses of the public contract', () => {
    expect(ERROR_STATUS).toMatchObject({
      VALIDATION_FAILED: 400, REASON_REQUIRED: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, EGRESS_BLOCKED: 403,
      NOT_FOUND: 404, CONFLICT: 409, IDEMPOTENCY_IN_PROGRESS: 409, PAYLOAD_TOO_LARGE: 413, IDEMPOTENCY_KEY_REUSED: 422,
      RATE_LIMITED: 429, QUOTA_EXCEEDED: 429, INTERNAL: 500, UPSTREAM_ERROR: 502, UPSTREAM_UNREACHABLE: 502,
      CIRCUIT_OPEN: 503, UNAVAILABLE: 503, UPSTREAM_TIMEOUT: 504, WEBHOOK_SIGNATURE_INVALID: 400,
    });
  });

  it('maps every code to an error status', () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
  });

  it('recognises codes and rejects anything else', () => {
    expect(isErrorCode('NOT_FOUND')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe(DomainError.name, () => {
  it('carries its code, status and details', () => {
    const error = new DomainError('RATE_LIMITED', 'slow down', { details: { limit: 5 }, headers: { 'retry-after': '1' } });
    expect(error.status).toBe(429);
    expect(error.details).toEqual({ limit: 5 });
    expect(error.headers).toEqual({ 'retry-after': '1' });
    expect(error).toBeInstanceOf(Error);
  });
});

describe('toJsonPointer', () => {
  it('escapes ~ and / per RFC 6901', () => {
    expect(toJsonPointer(['a', 0, 'b/c', 'd~e'])).toBe('/a/0/b~1c/d~0e');
    expect(toJsonPointer([])).toBe('');
  });
});

describe('isWellFormedRequestId', () => {
  it('keeps safe ids and refuses injection attempts', () => {
    expect(isWellFormedRequestId('0b7c8f0e-2f8e-4d7a-9d55-1f0f7c7d9a11')).toBe(true);
    expect(isWellFormedRequestId('short')).toBe(false);
    expect(isWellFormedRequestId('abc\ndef-ghijkl')).toBe(false);
    expect(isWellFormedRequestId('x'.repeat(129))).toBe(false);
    expect(isWellFormedRequestId(undefined)).toBe(false);
  });
});
