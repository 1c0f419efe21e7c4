import Ajv from 'ajv';
import { DomainError, POLICY_DOCUMENT_SCHEMA } from '@orch/contracts';
import { DEFAULT_POLICY } from '@orch/data';
import { createValidationPipe } from '@orch/platform';
import { UpdatePolicyDto } from './dto/update-policy.dto';

/** The console's policy form (POLICY_DOCUMENT_SCHEMA) and the API's DTO must accept and refuse the same bodies. */
const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(POLICY_DOCUMENT_SCHEMA);
const pipe = createValidationPipe();

async function dtoAccepts(body: unknown): Promise<boolean> {
  try {
    await pipe.transform(body, { type: 'body', metatype: UpdatePolicyDto });
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}

const VALID: Array<[string, unknown]> = [
  ['an empty body (every field defaults)', {}],
  ['the documented default policy', { timeout: DEFAULT_POLICY.timeout, retry: DEFAULT_POLICY.retry, circuit_breaker: DEFAULT_POLICY.circuit_breaker, rate_limit: DEFAULT_POLICY.rate_limit, degradation: DEFAULT_POLICY.degradation }],
  ['one field of one section', { timeout: { total_ms: 8000 } }],
  ['the bounds themselves', { timeout: { connect_ms: 1, read_ms: 600000, total_ms: 600000 }, retry: { max_attempts: 20, base_delay_ms: 0, max_delay_ms: 600000 }, circuit_breaker: { window_ms: 1000, min_requests: 100000, failure_rate_threshold: 0, open_ms: 100, half_open_probes: 100 }, rate_limit: { capacity: 1000000, refill_per_sec: 0.001 } }],
  ['upper bounds of the breaker', { circuit_breaker: { window_ms: 3600000, min_requests: 1, failure_rate_threshold: 1, open_ms: 3600000, half_open_probes: 1 } }],
  ['retry_on with classes and statuses', { retry: { retry_on: ['network', 'timeout', 400, 599], jitter: 'none', respect_retry_after: false } }],
  ['an empty retry_on', { retry: { retry_on: [] } }],
  ['fractional refill and threshold', { rate_limit: { refill_per_sec: 2.5 }, circuit_breaker: { failure_rate_threshold: 0.25 } }],
  ['queue_with_delay', { degradation: 'queue_with_delay' }],
];

const INVALID: Array<[string, unknown]> = [
  ['an unknown section', { timeouts: {} }],
  ['an unknown field in a section', { timeout: { total: 1000 } }],
  ['connect_ms 0', { timeout: { connect_ms: 0 } }],
  ['total_ms above 600000', { timeout: { total_ms: 600001 } }],
  ['a fractional timeout', { timeout: { read_ms: 10.5 } }],
  ['a timeout as a string', { timeout: { read_ms: '1000' } }],
  ['max_attempts 0', { retry: { max_attempts: 0 } }],
  ['max_attempts 21', { retry: { max_attempts: 21 } }],
  ['a negative base delay', { retry: { base_delay_ms: -1 } }],
  ['an unknown jitter', { retry: { jitter: 'half' } }],
  ['retry_on with an unknown class', { retry: { retry_on: ['dns'] } }],
  ['retry_on with status 399', { retry: { retry_on: [399] } }],
  ['retry_on with status 600', { retry: { retry_on: [600] } }],
  ['retry_on with a fractional status', { retry: { retry_on: [500.5] } }],
  ['retry_on with repeated values', { retry: { retry_on: [503, 503] } }],
  ['retry_on with 51 values', { retry: { retry_on: Array.from({ length: 51 }, (_, i) => 400 + i) } }],
  ['retry_on not an array', { retry: { retry_on: 'network' } }],
  ['respect_retry_after as a string', { retry: { respect_retry_after: 'yes' } }],
  ['window_ms below 1000', { circuit_breaker: { window_ms: 999 } }],
  ['failure_rate_threshold above 1', { circuit_breaker: { failure_rate_threshold: 1.01 } }],
  ['failure_rate_threshold below 0', { circuit_breaker: { failure_rate_threshold: -0.1 } }],
  ['open_ms below 100', { circuit_breaker: { open_ms: 99 } }],
  ['half_open_probes 101', { circuit_breaker: { half_open_probes: 101 } }],
  ['capacity 0', { rate_limit: { capacity: 0 } }],
  ['refill_per_sec below 0.001', { rate_limit: { refill_per_sec: 0.0001 } }],
  ['refill_per_sec above 1000000', { rate_limit: { refill_per_sec: 1000001 } }],
  ['an unknown degradation', { degradation: 'retry_later' }],
];

describe('POLICY_DOCUMENT_SCHEMA', () => {
  it.each(VALID)('accepts %s, as the DTO does', async (_name, body) => {
    expect({ schema: validateSchema(body), dto: await dtoAccepts(body) }).toEqual({ schema: true, dto: true });
  });

  it.each(INVALID)('refuses %s, as the DTO does', async (_name, body) => {
    expect({ schema: validateSchema(body), dto: await dtoAccepts(body) }).toEqual({ schema: false, dto: false });
  });

  it('declares the documented defaults (DEFAULT_POLICY)', () => {
    const defaults = Object.fromEntries(
      Object.entries(POLICY_DOCUMENT_SCHEMA.properties).map(([section, schema]) => [
        section,
        'properties' in schema ? Object.fromEntries(Object.entries(schema.properties).map(([field, fieldSchema]) => [field, fieldSchema.default])) : schema.default,
      ]),
    );
    const { timeout, retry, circuit_breaker, rate_limit, degradation } = DEFAULT_POLICY;
    expect(defaults).toEqual({ timeout, retry, circuit_breaker, rate_limit, degradation });
  });

  it('is a valid JSON Schema', () => {
    expect(ajv.validateSchema(POLICY_DOCUMENT_SCHEMA)).toBe(true);
  });
});
