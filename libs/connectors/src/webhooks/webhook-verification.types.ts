import type { WebhookVerification } from '../connector-type';

/**
 * One signing secret of a webhook route. A route holds its current secret and, during rotation,
 * the previous one with an `expiresAt`; a secret whose `expiresAt` has passed is ignored.
 */
export interface WebhookSecret {
  value: string;
  expiresAt?: Date | null;
}

/** Per-route settings of the generic `hmac-sha256` scheme. */
export interface HmacSignatureHeaderConfig {
  /** Header carrying the signature; matched case-insensitively. */
  header: string;
  encoding: 'hex' | 'base64';
  /** Literal the header value starts with, e.g. `sha256=` (matched case-insensitively). */
  prefix?: string;
}

export interface VerifyInput {
  scheme: WebhookVerification;
  /** The body exactly as received: signatures cover bytes, not a re-serialized object. */
  rawBody: Buffer;
  /** Request headers with lower-cased names (as Node delivers them). */
  headers: Record<string, string | string[] | undefined>;
  secrets: readonly WebhookSecret[];
  now: Date;
  /** Allowed distance in seconds between the signed timestamp and `now`, both directions. Default 300. */
  toleranceSeconds?: number;
  /** Required for `hmac-sha256`; ignored by the other schemes. */
  hmac?: HmacSignatureHeaderConfig;
}

export type VerifyFailureReason =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature'
  | 'no_usable_secret';

/** Never carries a secret or a computed signature, so it can be logged and counted as is. */
export type VerifyResult = { ok: true; eventId?: string; timestamp?: number } | { ok: false; reason: VerifyFailureReason };
