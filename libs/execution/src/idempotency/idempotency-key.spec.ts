import { DomainError } from '@orch/contracts';
import { IdempotencyService } from './idempotency.service';
import { fingerprintBody } from './idempotency-key';

function validationErrorOf(raw: string | string[]): DomainError {
  try {
    IdempotencyService.validateKey(raw);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe(IdempotencyService.name, () => {
  describe('validateKey', () => {
    it('returns undefined when the header is absent', () => {
      expect(IdempotencyService.validateKey(undefined)).toBeUndefined();
      expect(IdempotencyService.validateKey([])).toBeUndefined();
    });

    it('accepts a key of printable ASCII up to 255 characters', () => {
      expect(IdempotencyService.validateKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
      expect(IdempotencyService.validateKey('k'.repeat(255))).toBe('k'.repeat(255));
      expect(IdempotencyService.validateKey(['only-once'])).toBe('only-once');
      expect(IdempotencyService.validateKey('a key ~!@#')).toBe('a key ~!@#');
    });

    it.each([
      ['empty', '', 'must not be empty'],
      ['256 characters long', 'k'.repeat(256), 'must be at most 255 characters'],
      ['non-ASCII', 'clé', 'must contain printable ASCII characters only'],
      ['a control character', 'a\tb', 'must contain printable ASCII characters only'],
      ['a DEL', 'a\x7fb', 'must contain printable ASCII characters only'],
    ])('refuses a key that is %s with VALIDATION_FAILED', (_case, raw, message) => {
      const error = validationErrorOf(raw);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.status).toBe(400);
      expect(error.details).toEqual([{ path: '/headers/idempotency-key', message }]);
    });

    it('refuses a header sent more than once', () => {
      expect(validationErrorOf(['a', 'b']).details).toEqual([{ path: '/headers/idempotency-key', message: 'must be sent once' }]);
      expect(validationErrorOf(['a', 'a']).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('fingerprint', () => {
    const service = new IdempotencyService({} as never);

    it('ignores key order and whitespace at every depth', () => {
      const a = service.fingerprint(JSON.parse('{"b": 1, "a": {"y": [1, {"q": 1, "p": 2}], "x": null}}'));
      const b = service.fingerprint(JSON.parse('{"a":{"x":null,"y":[1,{"p":2,"q":1}]},"b":1}'));
      expect(a).toBe(b);
    });

    it('is the sha256 hex of the canonical JSON', () => {
      // sha256('{"a":1,"b":2}')
      expect(fingerprintBody({ b: 2, a: 1 })).toBe('43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777');
    });

    it('tells different bodies apart, including array order and value types', () => {
      expect(service.fingerprint({ a: [1, 2] })).not.toBe(service.fingerprint({ a: [2, 1] }));
      expect(service.fingerprint({ a: 1 })).not.toBe(service.fingerprint({ a: '1' }));
      expect(service.fingerprint({ a: 1 })).not.toBe(service.fingerprint({ a: 1, b: 2 }));
    });

    it('treats an absent body as null', () => {
      expect(service.fingerprint(undefined)).toBe(service.fingerprint(null));
      expect(service.fingerprint(undefined)).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
