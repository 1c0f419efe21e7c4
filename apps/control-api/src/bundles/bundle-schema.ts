import type { JsonSchema } from '@orch/connectors';
import { DEGRADATION_MODES } from '@orch/data';
import { SECRET_NAME_PATTERN, SECRET_REF_PATTERN } from '@orch/secrets';
import { CONFIG_NAME_PATTERN, CONFIG_VERSION_PATTERN } from '../configs/config-version';
import { CONNECTOR_NAME_PATTERN } from '../connectors/dto/create-connector.dto';
import { POLICY_NAME_PATTERN } from '../policies/dto/create-policy.dto';
import { JITTER_MODES, POLICY_LIMITS, RETRY_TRANSPORT_CONDITIONS } from '../policies/dto/policy-sections.dto';
import { EVENT_ID_PATH_PATTERN, HEADER_NAME_PATTERN, SIGNATURE_ENCODINGS, TARGET_KINDS, WEBHOOK_PROVIDERS } from '../webhook-routes/webhook-route-rules';

/** At most this many items per list: a bundle is one workspace's configuration, not a data load. */
export const MAX_BUNDLE_ITEMS = 500;

const int = (minimum: number, maximum: number): JsonSchema => ({ type: 'integer', minimum, maximum });
const num = (minimum: number, maximum: number): JsonSchema => ({ type: 'number', minimum, maximum });
const section = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', additionalProperties: false, properties });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', maxItems: MAX_BUNDLE_ITEMS, items });
const pattern = (re: RegExp, maxLength = 256): JsonSchema => ({ type: 'string', pattern: re.source, maxLength });

/** The same bounds as the policy API's DTOs (policy-sections.dto.ts). */
const TIMEOUT = section({ connect_ms: int(1, POLICY_LIMITS.timeout_ms), read_ms: int(1, POLICY_LIMITS.timeout_ms), total_ms: int(1, POLICY_LIMITS.timeout_ms) });
const RETRY = section({
  max_attempts: int(1, POLICY_LIMITS.max_attempts),
  base_delay_ms: int(0, POLICY_LIMITS.delay_ms),
  max_delay_ms: int(0, POLICY_LIMITS.delay_ms),
  jitter: { enum: [...JITTER_MODES] },
  retry_on: { type: 'array', maxItems: 50, uniqueItems: true, items: { anyOf: [{ enum: [...RETRY_TRANSPORT_CONDITIONS] }, int(400, 599)] } },
  respect_retry_after: { type: 'boolean' },
});
const CIRCUIT_BREAKER = section({
  window_ms: int(1000, POLICY_LIMITS.window_ms),
  min_requests: int(1, POLICY_LIMITS.min_requests),
  failure_rate_threshold: num(0, 1),
  open_ms: int(100, POLICY_LIMITS.open_ms),
  half_open_probes: int(1, POLICY_LIMITS.half_open_probes),
});
const RATE_LIMIT = section({ capacity: int(1, POLICY_LIMITS.capacity), refill_per_sec: num(0.001, POLICY_LIMITS.refill_per_sec) });

/**
 * The bundle document (seed §1.5) as JSON Schema: shapes and single-field bounds. Rules between
 * fields, across items and against the database are checked after it (bundle-validation.ts).
 * Policy sections also accept the seed's `<section>_json` spelling.
 */
export const BUNDLE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tenant'],
  properties: {
    tenant: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 63 } } },
    policies: list({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: pattern(POLICY_NAME_PATTERN, 63),
        timeout: TIMEOUT,
        timeout_json: TIMEOUT,
        retry: RETRY,
        retry_json: RETRY,
        circuit_breaker: CIRCUIT_BREAKER,
        circuit_breaker_json: CIRCUIT_BREAKER,
        rate_limit: RATE_LIMIT,
        rate_limit_json: RATE_LIMIT,
        degradation: { enum: [...DEGRADATION_MODES] },
      },
    }),
    secret_refs: list({
      type: 'object',
      additionalProperties: false,
      required: ['name', 'ref'],
      properties: { name: pattern(SECRET_NAME_PATTERN, 128), ref: pattern(SECRET_REF_PATTERN, 200) },
    }),
    connectors: list({
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type'],
      properties: {
        name: pattern(CONNECTOR_NAME_PATTERN, 63),
        type: { type: 'string', minLength: 1, maxLength: 64 },
        policy: { type: 'string', minLength: 1, maxLength: 63 },
        config: { type: 'object' },
        secret_ref: pattern(SECRET_NAME_PATTERN, 128),
      },
    }),
    configs: list({
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'data'],
      properties: { name: pattern(CONFIG_NAME_PATTERN, 63), version: pattern(CONFIG_VERSION_PATTERN, 63), data: { type: 'object' }, activate: { type: 'boolean' } },
    }),
    webhook_routes: list({
      type: 'object',
      additionalProperties: false,
      required: ['provider', 'signing_secret_ref', 'target'],
      properties: {
        provider: { enum: [...WEBHOOK_PROVIDERS] },
        signing_secret_ref: pattern(SECRET_NAME_PATTERN, 128),
        provider_account_id: { type: 'string', minLength: 1, maxLength: 255 },
        verification: {
          type: 'object',
          additionalProperties: false,
          required: ['header_name', 'encoding', 'event_id_path'],
          properties: {
            header_name: pattern(HEADER_NAME_PATTERN, 64),
            encoding: { enum: [...SIGNATURE_ENCODINGS] },
            event_id_path: pattern(EVENT_ID_PATH_PATTERN, 256),
            prefix: { type: 'string', maxLength: 32 },
          },
        },
        target: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { enum: [...TARGET_KINDS] }, url: { type: 'string', maxLength: 2048 }, connector: { type: 'string', maxLength: 63 }, operation: { type: 'string', maxLength: 64 } },
        },
        enabled: { type: 'boolean' },
      },
    }),
    service_identities: list({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, audience: { type: 'string', maxLength: 64 }, scopes: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 64 } } },
    }),
  },
};
