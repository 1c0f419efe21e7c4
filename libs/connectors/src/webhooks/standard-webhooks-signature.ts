import {
  anyDigestMatches,
  decodeBase64,
  fail,
  hmacSha256,
  isWithinTolerance,
  parseUnixSeconds,
  readHeader,
  SHA256_BYTES,
  usableSecretValues,
} from './signature-primitives';
import type { VerifyInput, VerifyResult } from './webhook-verification.types';

export const STANDARD_WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

const SECRET_PREFIX = 'whsec_';

/** Standard Webhooks secrets are base64 keys, usually shown with a `whsec_` prefix. */
function decodeSecret(secret: string): Buffer | undefined {
  const key = decodeBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  return key && key.length > 0 ? key : undefined;
}

/**
 * Space-separated `version,signature` entries; only `v1` (symmetric HMAC) is ours to check,
 * other versions (e.g. `v1a`) are skipped. An entry without a comma breaks the format.
 */
function parseSignatures(value: string): Buffer[] | undefined {
  const signatures: Buffer[] = [];
  for (const entry of value.split(' ').filter((e) => e !== '')) {
    const comma = entry.indexOf(',');
    if (comma <= 0) return undefined;
    if (entry.slice(0, comma) !== 'v1') continue;
    const digest = decodeBase64(entry.slice(comma + 1));
    if (digest?.length === SHA256_BYTES) signatures.push(digest);
  }
  return signatures;
}

/** Standard Webhooks: HMAC-SHA256 over `${id}.${timestamp}.${rawBody}`, base64 in `webhook-signature`. */
export function verifyStandardWebhookSignature(input: VerifyInput): VerifyResult {
  const id = readHeader(input.headers, STANDARD_WEBHOOK_HEADERS.id);
  if (!id.ok) return fail(id.reason);
  const timestampHeader = readHeader(input.headers, STANDARD_WEBHOOK_HEADERS.timestamp);
  if (!timestampHeader.ok) return fail(timestampHeader.reason);
  const signatureHeader = readHeader(input.headers, STANDARD_WEBHOOK_HEADERS.signature);
  if (!signatureHeader.ok) return fail(signatureHeader.reason);

  const timestamp = parseUnixSeconds(timestampHeader.value);
  const signatures = parseSignatures(signatureHeader.value);
  if (timestamp === undefined || !signatures) return fail('malformed_header');

  const keys = usableSecretValues(input.secrets, input.now)
    .map(decodeSecret)
    .filter((key): key is Buffer => key !== undefined);
  if (keys.length === 0) return fail('no_usable_secret');

  const expected = keys.map((key) => hmacSha256(key, `${id.value}.${timestampHeader.value}.`, input.rawBody));
  if (!anyDigestMatches(expected, signatures)) return fail('no_matching_signature');
  if (!isWithinTolerance(timestamp, input.now, input.toleranceSeconds)) return fail('timestamp_out_of_tolerance');
  return { ok: true, eventId: id.value, timestamp };
}
