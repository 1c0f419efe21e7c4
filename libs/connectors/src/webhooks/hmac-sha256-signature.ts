import { anyDigestMatches, decodeBase64, decodeHex, fail, hmacSha256, readHeader, usableSecretValues } from './signature-primitives';
import type { HmacSignatureHeaderConfig, VerifyInput, VerifyResult } from './webhook-verification.types';

function decodeSignature(value: string, config: HmacSignatureHeaderConfig): Buffer | undefined {
  const prefix = config.prefix ?? '';
  if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  const encoded = value.slice(prefix.length);
  switch (config.encoding) {
    case 'hex':
      return decodeHex(encoded);
    case 'base64':
      return decodeBase64(encoded);
  }
}

/**
 * Generic HMAC-SHA256 of the raw body (secret as UTF-8) in a header named per route. No timestamp,
 * so no replay window: the inbox dedupe on the event id is what stops replays for this scheme.
 */
export function verifyHmacSha256Signature(input: VerifyInput): VerifyResult {
  const config = input.hmac;
  // A route without header settings has no header we could read.
  if (!config || typeof config.header !== 'string' || config.header === '') return fail('missing_header');
  const header = readHeader(input.headers, config.header);
  if (!header.ok) return fail(header.reason);
  const signature = decodeSignature(header.value, config);
  if (!signature) return fail('malformed_header');

  const secrets = usableSecretValues(input.secrets, input.now);
  if (secrets.length === 0) return fail('no_usable_secret');

  const expected = secrets.map((secret) => hmacSha256(Buffer.from(secret, 'utf8'), input.rawBody));
  return anyDigestMatches(expected, [signature]) ? { ok: true } : fail('no_matching_signature');
}
