import type { ConnectorTypeDefinition } from '../connector-type';
import { SECRET_REF_NAME_SCHEMA, STRING_MAP_SCHEMA } from './schema-parts';

const KEY = { type: 'string', minLength: 1, maxLength: 1024 };

export const S3_CONNECTOR_TYPE: ConnectorTypeDefinition = {
  type: 's3',
  title: 'S3',
  description: 'Objects in one bucket of Amazon S3 or an S3-compatible store',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['region', 'bucket', 'access_key_id', 'secret_access_key_ref'],
    'ui:order': ['endpoint', 'region', 'bucket', 'access_key_id', 'secret_access_key_ref', 'force_path_style'],
    properties: {
      endpoint: { type: 'string', format: 'uri', pattern: '^https?://', title: 'Endpoint', description: 'Leave out for AWS' },
      region: { type: 'string', pattern: '^[a-z0-9-]{2,32}$', title: 'Region' },
      bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', title: 'Bucket' },
      access_key_id: { type: 'string', minLength: 1, maxLength: 128, title: 'Access key id' },
      secret_access_key_ref: { ...SECRET_REF_NAME_SCHEMA, title: 'Secret access key (secret ref)' },
      force_path_style: { type: 'boolean', default: false, title: 'Path-style URLs' },
    },
  },
  secret_schema: {
    type: 'object',
    required: ['secret_access_key'],
    properties: { secret_access_key: { type: 'string', 'x-secret': true } },
  },
  operations: [
    {
      operation_id: 'put_object',
      title: 'Put an object',
      http: { method: 'PUT', path_template: '/{key}' },
      payload_schema: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'body'],
        properties: {
          key: KEY,
          body: { type: 'string' },
          body_encoding: { enum: ['utf8', 'base64'], default: 'utf8' },
          content_type: { type: 'string', maxLength: 255 },
          metadata: STRING_MAP_SCHEMA,
        },
      },
      output_schema: { type: 'object', required: ['etag'], properties: { etag: { type: 'string' }, version_id: { type: 'string' } } },
    },
    {
      operation_id: 'get_object',
      title: 'Get an object',
      http: { method: 'GET', path_template: '/{key}' },
      payload_schema: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } },
      output_schema: {
        type: 'object',
        required: ['body', 'body_encoding'],
        properties: { body: { type: 'string' }, body_encoding: { enum: ['base64'] }, content_type: { type: 'string' }, etag: { type: 'string' } },
      },
    },
    {
      operation_id: 'delete_object',
      title: 'Delete an object',
      http: { method: 'DELETE', path_template: '/{key}' },
      payload_schema: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } },
      output_schema: { type: 'object', properties: { deleted: { type: 'boolean' } } },
    },
  ],
  operations_from_config: false,
};
