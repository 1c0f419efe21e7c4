import type { WebhookVerification } from '../connector-type';
import { readHeader } from './signature-primitives';
import { STANDARD_WEBHOOK_HEADERS } from './standard-webhooks-signature';
import type { VerifyInput } from './webhook-verification.types';

export const DEFAULT_HMAC_EVENT_ID_PATH = 'id';

/** Own properties only, so a path like `constructor.name` or `__proto__` never reaches the prototype. */
function valueAtPath(root: unknown, path: string): unknown {
  let current = root;
  for (const segment of path.split('.')) {
    if (segment === '' || current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function asEventId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  // Some senders number their events; the inbox key is text either way.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * The provider's event id, the inbox dedupe key: Stripe's body `id`, Standard Webhooks'
 * `webhook-id` header, or the value at a dotted path (default `id`) of an HMAC sender's JSON body.
 */
export function extractEventId(scheme: WebhookVerification, headers: VerifyInput['headers'], parsedBody: unknown, jsonPath?: string): string | undefined {
  switch (scheme) {
    case 'stripe':
      return asEventId(valueAtPath(parsedBody, 'id'));
    case 'standard-webhooks': {
      const id = readHeader(headers, STANDARD_WEBHOOK_HEADERS.id);
      return id.ok ? id.value : undefined;
    }
    case 'hmac-sha256':
      return asEventId(valueAtPath(parsedBody, jsonPath ?? DEFAULT_HMAC_EVENT_ID_PATH));
    default:
      return undefined;
  }
}
