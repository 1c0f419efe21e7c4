export { extractEventId, DEFAULT_HMAC_EVENT_ID_PATH } from './extract-event-id';
export { DEFAULT_TOLERANCE_SECONDS } from './signature-primitives';
export { STANDARD_WEBHOOK_HEADERS } from './standard-webhooks-signature';
export { STRIPE_SIGNATURE_HEADER } from './stripe-signature';
export { verifyWebhook } from './verify-webhook';
export type { HmacSignatureHeaderConfig, VerifyFailureReason, VerifyInput, VerifyResult, WebhookSecret } from './webhook-verification.types';
