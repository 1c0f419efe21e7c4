import { configure } from '@testing-library/react';
import { vi } from 'vitest';
import { TEST_SESSION } from '../../testing/test-utils';

/** The full console renders slowly on a loaded machine (rjsf forms): longer waits than the defaults. */
export function allowSlowRenders(): void {
  vi.setConfig({ testTimeout: 30_000 });
  configure({ asyncUtilTimeout: 5_000 });
}

export const WS = '11111111-1111-4111-8111-111111111111';
export const WS_PATH = `/api/control/v1/workspaces/${WS}`;

/** What every signed-in page asks for besides its own data (session, header badge, workspace switcher). */
export const BASE_ROUTES = {
  'GET /api/session': { status: 200, body: TEST_SESSION },
  'GET /api/bff/upstreams': { status: 200, body: { control_api: 'up', exec_api: 'up' } },
  'GET /api/control/v1/workspaces': { status: 200, body: { data: [{ id: WS, name: 'acme-dev', status: 'active' }], next_cursor: null } },
};

export const page = <T>(data: T[]) => ({ status: 200, body: { data, next_cursor: null } });

export const SECRET_REF_FIELD = { type: 'string', minLength: 1, maxLength: 128, 'x-secret-ref': true, description: 'Name of a secret ref of this workspace (never the secret itself)' };

export const STRIPE_TYPE = {
  type: 'stripe',
  title: 'Stripe',
  description: 'Stripe payments API',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['api_key_ref'],
    'ui:order': ['api_key_ref', 'base_url'],
    properties: {
      base_url: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://api.stripe.com', title: 'API base URL' },
      api_key_ref: { ...SECRET_REF_FIELD, title: 'API key (secret ref)' },
    },
  },
  secret_schema: { type: 'object', required: ['api_key'], properties: { api_key: { type: 'string', pattern: '^(sk|rk)_', 'x-secret': true, description: 'Secret or restricted key' } } },
  operations: [],
  operations_from_config: false,
  webhook_verification: 'stripe',
};

/** A type whose config itself holds an x-secret field (as a schema may declare). */
export const SECRET_CONFIG_TYPE = {
  type: 'vaultish',
  title: 'Vaultish',
  description: 'Test type',
  config_schema: {
    type: 'object',
    required: ['host'],
    properties: { host: { type: 'string', title: 'Host', minLength: 1 }, token: { type: 'string', title: 'Token', 'x-secret': true } },
  },
  secret_schema: { type: 'object', properties: {} },
  operations: [],
  operations_from_config: false,
};

export const HTTP_TYPE = {
  type: 'http',
  title: 'HTTP',
  description: 'Any HTTP API',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: [],
    'ui:order': ['base_url', 'auth', 'default_headers', 'operations'],
    properties: {
      base_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, title: 'Base URL' },
      default_headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 }, maxProperties: 50, title: 'Default headers' },
      auth: {
        title: 'Authentication',
        type: 'object',
        required: ['kind'],
        discriminator: { propertyName: 'kind' },
        oneOf: [
          { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'none' } } },
          { type: 'object', additionalProperties: false, required: ['kind', 'secret_ref'], properties: { kind: { const: 'bearer' }, secret_ref: SECRET_REF_FIELD } },
        ],
      },
      operations: {
        title: 'Operations',
        type: 'array',
        default: [],
        maxItems: 100,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['operation_id', 'method', 'path'],
          properties: {
            operation_id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
            title: { type: 'string', maxLength: 200 },
            method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
            path: { type: 'string', pattern: '^(/|https?://)', maxLength: 2048 },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
            payload_schema: { type: 'object', description: 'JSON Schema of the payload (default: any object)' },
          },
        },
      },
    },
  },
  secret_schema: { type: 'object', properties: { credential: { type: 'string', 'x-secret': true, description: 'Bearer token' } } },
  operations: [],
  operations_from_config: true,
};

export const DEFAULT_POLICY_ROW = {
  id: '22222222-2222-4222-8222-222222222222',
  workspace_id: WS,
  name: 'default',
  timeout: { connect_ms: 2000, read_ms: 10000, total_ms: 15000 },
  retry: { max_attempts: 3, base_delay_ms: 100, max_delay_ms: 2000, jitter: 'full', retry_on: ['network', 'timeout', 429, 502, 503, 504], respect_retry_after: true },
  circuit_breaker: { window_ms: 30000, min_requests: 10, failure_rate_threshold: 0.5, open_ms: 30000, half_open_probes: 1 },
  rate_limit: { capacity: 100, refill_per_sec: 50 },
  degradation: 'fail_fast',
  created_at: '2026-11-27T02:00:00.000Z',
  updated_at: '2026-11-27T02:00:00.000Z',
};
