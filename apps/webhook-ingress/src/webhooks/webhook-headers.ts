import { STANDARD_WEBHOOK_HEADERS, STRIPE_SIGNATURE_HEADER } from '@orch/connectors';

/** Headers that carry credentials or signatures: never stored in the inbox. */
const ALWAYS_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key', STRIPE_SIGNATURE_HEADER.toLowerCase(), STANDARD_WEBHOOK_HEADERS.signature.toLowerCase()]);

/** The request headers as stored with an inbox row: lower-cased names, arrays joined, secrets and signatures dropped. */
export function storableHeaders(headers: Record<string, string | string[] | undefined>, hmacHeader?: string): Record<string, string> {
  const dropped = hmacHeader ? new Set([...ALWAYS_DROPPED, hmacHeader.toLowerCase()]) : ALWAYS_DROPPED;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || dropped.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
