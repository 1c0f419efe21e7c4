/**
 * JSON Schema of a reliability policy's body (what `POST …/policies` and `PATCH …/policies/:name`
 * accept besides `name` and `reason`): the same fields, bounds and defaults as the control-api DTOs
 * (`apps/control-api/src/policies/dto/policy-sections.dto.ts`, `DEFAULT_POLICY`) and
 * docs/05_reliability_policies.md. The console renders its policy form from it; a control-api spec
 * (`policy-schema.spec.ts`) proves schema and DTO validation agree. Bounds between fields
 * (`connect_ms` ≤ `total_ms`, …) are checked by the API on the merged policy, not here.
 */
export const POLICY_DOCUMENT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Reliability policy',
  type: 'object',
  additionalProperties: false,
  'ui:order': ['timeout', 'retry', 'circuit_breaker', 'rate_limit', 'degradation'],
  properties: {
    timeout: {
      title: 'Timeouts',
      type: 'object',
      additionalProperties: false,
      properties: {
        connect_ms: { title: 'Connect timeout (ms)', description: 'Connect deadline; at most total_ms', type: 'integer', minimum: 1, maximum: 600000, default: 2000 },
        read_ms: { title: 'Read timeout (ms)', description: 'Read deadline; at most total_ms', type: 'integer', minimum: 1, maximum: 600000, default: 10000 },
        total_ms: { title: 'Total timeout (ms)', description: 'Deadline over all attempts', type: 'integer', minimum: 1, maximum: 600000, default: 15000 },
      },
    },
    retry: {
      title: 'Retries',
      type: 'object',
      additionalProperties: false,
      properties: {
        max_attempts: { title: 'Max attempts', description: 'Attempts in all, the first included', type: 'integer', minimum: 1, maximum: 20, default: 3 },
        base_delay_ms: { title: 'Base delay (ms)', description: 'First backoff', type: 'integer', minimum: 0, maximum: 600000, default: 100 },
        max_delay_ms: { title: 'Max delay (ms)', description: 'Backoff cap; at least base_delay_ms', type: 'integer', minimum: 0, maximum: 600000, default: 2000 },
        jitter: { title: 'Jitter', type: 'string', enum: ['full', 'none'], default: 'full' },
        retry_on: {
          title: 'Retry on',
          description: "'network', 'timeout' or an HTTP status from 400 to 599",
          type: 'array',
          maxItems: 50,
          uniqueItems: true,
          items: {
            anyOf: [
              { title: 'Failure class', type: 'string', enum: ['network', 'timeout'] },
              { title: 'HTTP status', type: 'integer', minimum: 400, maximum: 599 },
            ],
          },
          default: ['network', 'timeout', 429, 502, 503, 504],
        },
        respect_retry_after: { title: 'Respect Retry-After', description: 'Honour an upstream Retry-After', type: 'boolean', default: true },
      },
    },
    circuit_breaker: {
      title: 'Circuit breaker',
      type: 'object',
      additionalProperties: false,
      properties: {
        window_ms: { title: 'Window (ms)', description: 'Rolling window the failure rate is measured over', type: 'integer', minimum: 1000, maximum: 3600000, default: 30000 },
        min_requests: { title: 'Minimum requests', description: 'Calls in the window before it may open', type: 'integer', minimum: 1, maximum: 100000, default: 10 },
        failure_rate_threshold: { title: 'Failure rate threshold', description: 'Share of failed calls (0–1) that opens the breaker', type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        open_ms: { title: 'Open for (ms)', description: 'How long it stays open', type: 'integer', minimum: 100, maximum: 3600000, default: 30000 },
        half_open_probes: { title: 'Half-open probes', description: 'Trial calls when half-open', type: 'integer', minimum: 1, maximum: 100, default: 1 },
      },
    },
    rate_limit: {
      title: 'Rate limit',
      type: 'object',
      additionalProperties: false,
      properties: {
        capacity: { title: 'Capacity', description: 'Token bucket size (burst)', type: 'integer', minimum: 1, maximum: 1000000, default: 100 },
        refill_per_sec: { title: 'Refill per second', description: 'Tokens added per second', type: 'number', minimum: 0.001, maximum: 1000000, default: 50 },
      },
    },
    degradation: { title: 'Degradation', description: 'On an open breaker: fail at once, or delay jobs', type: 'string', enum: ['fail_fast', 'queue_with_delay'], default: 'fail_fast' },
  },
} as const;
