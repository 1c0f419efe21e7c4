/** A JSON Schema document (draft 2020-12); kept as plain data so the console can render it. */
export type JsonSchema = Record<string, unknown>;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Webhook signature schemes a connector type's events arrive with (DESIGN §4, webhook-ingress). */
export const WEBHOOK_VERIFICATIONS = ['stripe', 'standard-webhooks', 'hmac-sha256'] as const;
export type WebhookVerification = (typeof WEBHOOK_VERIFICATIONS)[number];

export interface ConnectorOperationHttp {
  method: HttpMethod;
  /** Relative to the connector's base URL; `{name}` placeholders are filled from the payload. */
  path_template: string;
  headers?: Record<string, string>;
}

export interface ConnectorOperation {
  operation_id: string;
  title: string;
  payload_schema: JsonSchema;
  output_schema: JsonSchema;
  http?: ConnectorOperationHttp;
}

/**
 * A declarative connector type (DESIGN §5). `config_schema` validates a connector's config;
 * fields holding the name of a secret ref are marked `x-secret-ref: true` and named
 * `secret_ref` / `*_ref`. `secret_schema` describes the values those refs resolve to (each
 * marked `x-secret: true`: write-only, never shown).
 */
export interface ConnectorTypeDefinition {
  type: string;
  title: string;
  description: string;
  config_schema: JsonSchema;
  secret_schema: JsonSchema;
  /** Fixed operations of the type; empty when `operations_from_config` is true. */
  operations: ConnectorOperation[];
  /** True for `http`: each connector declares its own operations in `config.operations`. */
  operations_from_config: boolean;
  webhook_verification?: WebhookVerification;
}
