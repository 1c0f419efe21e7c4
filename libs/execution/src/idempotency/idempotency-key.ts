import { createHash } from 'node:crypto';
import { DomainError, canonicalJson } from '@orch/contracts';

/** The request header (lower-case, as Node hands headers over). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** DESIGN §4 and the `key varchar(255)` column. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const DETAIL_PATH = `/headers/${IDEMPOTENCY_KEY_HEADER}`;

/** Visible ASCII and the space: what survives every proxy and log line unchanged. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function invalid(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'The Idempotency-Key header is invalid.', {
    details: [{ path: DETAIL_PATH, message }],
  });
}

/**
 * The key of a request, or undefined when it has none. Throws VALIDATION_FAILED for an
 * empty, too long or non-printable value, or for a header sent more than once.
 *
 * Node joins a repeated unknown header into one string ("a, b") in `req.headers`; pass
 * `req.headersDistinct['idempotency-key']` (an array per occurrence) to have a repeat refused.
 */
export function validateIdempotencyKey(raw: string | readonly string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let value: string;
  if (typeof raw === 'string') {
    value = raw;
  } else {
    if (raw.length === 0) return undefined;
    if (raw.length > 1) throw invalid('must be sent once');
    value = raw[0] ?? '';
  }
  if (value.length === 0) throw invalid('must not be empty');
  if (value.length > IDEMPOTENCY_KEY_MAX_LENGTH) throw invalid(`must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  if (!PRINTABLE_ASCII.test(value)) throw invalid('must contain printable ASCII characters only');
  return value;
}

/**
 * sha256 (hex) of the body's canonical JSON, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the
 * same request. An absent body counts as `null` (canonicalJson(undefined) is not a string).
 */
export function fingerprintBody(body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(body === undefined ? null : body), 'utf8')
    .digest('hex');
}
