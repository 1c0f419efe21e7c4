import type { ConnectorTypeDefinition } from '../connector-type';
import { SECRET_REF_NAME_SCHEMA } from './schema-parts';

const ADDRESS = { type: 'string', format: 'email', maxLength: 320 };

export const SMTP_CONNECTOR_TYPE: ConnectorTypeDefinition = {
  type: 'smtp',
  title: 'SMTP',
  description: 'Sends email through an SMTP server',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'port'],
    'ui:order': ['host', 'port', 'secure', 'username', 'password_ref'],
    properties: {
      host: { type: 'string', format: 'hostname', title: 'Host' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 587, title: 'Port' },
      secure: { type: 'boolean', default: false, title: 'Implicit TLS', description: 'true for port 465; otherwise STARTTLS is used when offered' },
      username: { type: 'string', maxLength: 320, title: 'Username' },
      password_ref: { ...SECRET_REF_NAME_SCHEMA, title: 'Password (secret ref)' },
    },
    dependentRequired: { username: ['password_ref'] },
  },
  secret_schema: {
    type: 'object',
    properties: { password: { type: 'string', 'x-secret': true, description: 'SMTP password behind password_ref' } },
  },
  operations: [
    {
      operation_id: 'send_email',
      title: 'Send an email',
      payload_schema: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'subject'],
        anyOf: [{ required: ['text'] }, { required: ['html'] }],
        properties: {
          from: ADDRESS,
          to: { type: 'array', items: ADDRESS, minItems: 1, maxItems: 100 },
          subject: { type: 'string', maxLength: 998 },
          text: { type: 'string' },
          html: { type: 'string' },
        },
      },
      output_schema: { type: 'object', required: ['message_id'], properties: { message_id: { type: 'string' }, accepted: { type: 'array', items: { type: 'string' } } } },
    },
  ],
  operations_from_config: false,
};
