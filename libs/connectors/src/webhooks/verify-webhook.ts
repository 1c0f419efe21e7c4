import { fail } from './signature-primitives';
import { verifyHmacSha256Signature } from './hmac-sha256-signature';
import { verifyStandardWebhookSignature } from './standard-webhooks-signature';
import { verifyStripeSignature } from './stripe-signature';
import type { VerifyInput, VerifyResult } from './webhook-verification.types';

/**
 * Checks an incoming webhook's signature (and, where the scheme signs one, its timestamp) against
 * the route's usable secrets. Pure: the clock comes in as `now`; bad input yields a reason, never
 * an exception.
 */
export function verifyWebhook(input: VerifyInput): VerifyResult {
  if (!Buffer.isBuffer(input.rawBody)) return fail('no_matching_signature');
  const scheme = input.scheme;
  switch (scheme) {
    case 'stripe':
      return verifyStripeSignature(input);
    case 'standard-webhooks':
      return verifyStandardWebhookSignature(input);
    case 'hmac-sha256':
      return verifyHmacSha256Signature(input);
    default: {
      // A scheme read from stored config that this build does not know: nothing can match.
      const unknown: never = scheme;
      void unknown;
      return fail('no_matching_signature');
    }
  }
}
