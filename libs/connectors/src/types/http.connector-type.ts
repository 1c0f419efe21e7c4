import { HTTP_METHODS, type ConnectorTypeDefinition } from '../connector-type';
import { SECRET_REF_NAME_SCHEMA, STRING_MAP_SCHEMA } from './schema-parts';

/**
 * Generic HTTP: base URL, default headers, auth from a secret ref, operations declared per connector.
 * Both base_url and operations may be left out (a connector declared before its operations, as the
 * seed's bundle does); without a base_url every operation path must be an absolute http(s) URL.
 */
export const HTTP_CONNECTOR_TYPE: ConnectorTypeDefinition = {
  type: 'http',
  title: 'HTTP',
  description: 'Any HTTP API: a base URL, default headers, auth from a secret ref, and operations as method + path template + headers',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: [],
    'ui:order': ['base_url', 'auth', 'default_headers', 'operations'],
    properties: {
      base_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, title: 'Base URL' },
      default_headers: { ...STRING_MAP_SCHEMA, title: 'Default headers' },
      auth: {
        title: 'Authentication',
        type: 'object',
        required: ['kind'],
        discriminator: { propertyName: 'kind' },
        oneOf: [
          { title: 'No authentication', type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'none' } } },
          { title: 'Bearer token', type: 'object', additionalProperties: false, required: ['kind', 'secret_ref'], properties: { kind: { const: 'bearer' }, secret_ref: SECRET_REF_NAME_SCHEMA } },
          {
            title: 'Header with a secret value',
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'header_name', 'secret_ref'],
            properties: {
              kind: { const: 'header' },
              header_name: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", maxLength: 256 },
              secret_ref: SECRET_REF_NAME_SCHEMA,
            },
          },
          {
            title: 'Basic auth',
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'username', 'secret_ref'],
            properties: { kind: { const: 'basic' }, username: { type: 'string', minLength: 1, maxLength: 256 }, secret_ref: SECRET_REF_NAME_SCHEMA },
          },
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
            method: { enum: [...HTTP_METHODS] },
            path: {
              type: 'string',
              pattern: '^(/|https?://)',
              maxLength: 2048,
              description: 'Relative to base_url (`/…`), or an absolute http(s) URL when there is no base_url; `{name}` placeholders are filled from the payload',
            },
            headers: STRING_MAP_SCHEMA,
            payload_schema: { type: 'object', description: 'JSON Schema of the payload (default: any object)' },
          },
        },
      },
    },
  },
  secret_schema: {
    type: 'object',
    properties: {
      credential: { type: 'string', 'x-secret': true, description: 'Bearer token, header value or basic-auth password behind auth.secret_ref' },
    },
  },
  operations: [],
  operations_from_config: true,
};
