import {
  anyDigestMatches,
  decodeHex,
  fail,
  hmacSha256,
  isWithinTolerance,
  parseUnixSeconds,
  readHeader,
  SHA256_BYTES,
  usableSecretValues,
} from './signature-primitives';
import type { VerifyInput, VerifyResult } from './webhook-verification.types';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

interface StripeSignatureHeader {
  timestamp: string;
  signatures: Buffer[];
}

/**
 * `t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`. Exactly one `t`; `v1` may repeat while Stripe rolls an
 * endpoint secret; other schemes (`v0`) are ignored. A `v1` that is not a SHA-256 hex digest can
 * never match, so it is dropped rather than failing the whole header.
 */
function parseStripeSignatureHeader(value: string): StripeSignatureHeader | undefined {
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return undefined;
    const key = item.slice(0, eq).trim();
    const val = item.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return undefined;
      timestamp = val;
    } else if (key === 'v1') {
      const digest = decodeHex(val);
      if (digest?.length === SHA256_BYTES) signatures.push(digest);
    }
  }
  return timestamp === undefined ? undefined : { timestamp, signatures };
}

/** Stripe: HMAC-SHA256 over `${t}.${rawBody}`, keyed with the `whsec_…` string as UTF-8 (as Stripe does). */
export function verifyStripeSignature(input: VerifyInput): VerifyResult {
  const header = readHeader(input.headers, STRIPE_SIGNATURE_HEADER);
  if (!header.ok) return fail(header.reason);
  const parsed = parseStripeSignatureHeader(header.value);
  const timestamp = parsed && parseUnixSeconds(parsed.timestamp);
  if (!parsed || timestamp === undefined) return fail('malformed_header');

  const secrets = usableSecretValues(input.secrets, input.now);
  if (secrets.length === 0) return fail('no_usable_secret');

  const expected = secrets.map((secret) => hmacSha256(Buffer.from(secret, 'utf8'), `${parsed.timestamp}.`, input.rawBody));
  if (!anyDigestMatches(expected, parsed.signatures)) return fail('no_matching_signature');
  // Checked after the signature so a forged request is counted as forged, not as stale.
  if (!isWithinTolerance(timestamp, input.now, input.toleranceSeconds)) return fail('timestamp_out_of_tolerance');
  return { ok: true, timestamp };
}
