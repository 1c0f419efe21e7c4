import type { ConnectorTypeDefinition } from '../connector-type';
import { SECRET_REF_NAME_SCHEMA } from './schema-parts';

const METADATA = { type: 'object', additionalProperties: { type: 'string', maxLength: 500 }, maxProperties: 50 };
const PAYMENT_INTENT_ID = { type: 'string', pattern: '^pi_[A-Za-z0-9_]+$' };

export const STRIPE_CONNECTOR_TYPE: ConnectorTypeDefinition = {
  type: 'stripe',
  title: 'Stripe',
  description: 'Stripe payments API; events arrive through a webhook route verified with the Stripe-Signature scheme',
  config_schema: {
    type: 'object',
    additionalProperties: false,
    required: ['api_key_ref'],
    'ui:order': ['api_key_ref', 'base_url'],
    properties: {
      base_url: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://api.stripe.com', title: 'API base URL' },
      api_key_ref: { ...SECRET_REF_NAME_SCHEMA, title: 'API key (secret ref)' },
    },
  },
  secret_schema: {
    type: 'object',
    required: ['api_key'],
    properties: { api_key: { type: 'string', pattern: '^(sk|rk)_', 'x-secret': true, description: 'Secret or restricted key' } },
  },
  operations: [
    {
      operation_id: 'create_payment_intent',
      title: 'Create a PaymentIntent',
      http: { method: 'POST', path_template: '/v1/payment_intents' },
      payload_schema: {
        type: 'object',
        additionalProperties: false,
        required: ['amount', 'currency'],
        properties: {
          amount: { type: 'integer', minimum: 1 },
          currency: { type: 'string', pattern: '^[a-z]{3}$' },
          customer: { type: 'string' },
          description: { type: 'string', maxLength: 1000 },
          payment_method_types: { type: 'array', items: { type: 'string' } },
          metadata: METADATA,
        },
      },
      output_schema: { type: 'object', required: ['id', 'status'], properties: { id: PAYMENT_INTENT_ID, status: { type: 'string' }, amount: { type: 'integer' } } },
    },
    {
      operation_id: 'retrieve_payment_intent',
      title: 'Retrieve a PaymentIntent',
      http: { method: 'GET', path_template: '/v1/payment_intents/{id}' },
      payload_schema: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: PAYMENT_INTENT_ID } },
      output_schema: { type: 'object', required: ['id', 'status'], properties: { id: PAYMENT_INTENT_ID, status: { type: 'string' } } },
    },
    {
      operation_id: 'create_refund',
      title: 'Refund a payment',
      http: { method: 'POST', path_template: '/v1/refunds' },
      payload_schema: {
        type: 'object',
        additionalProperties: false,
        required: ['payment_intent'],
        properties: {
          payment_intent: PAYMENT_INTENT_ID,
          amount: { type: 'integer', minimum: 1, description: 'Default: the whole amount' },
          reason: { enum: ['duplicate', 'fraudulent', 'requested_by_customer'] },
          metadata: METADATA,
        },
      },
      output_schema: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string', pattern: '^re_' }, status: { type: 'string' } } },
    },
  ],
  operations_from_config: false,
  webhook_verification: 'stripe',
};
