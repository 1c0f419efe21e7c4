import type { ConnectorOperation, ConnectorTypeDefinition, HttpMethod } from './connector-type';
import { HTTP_CONNECTOR_TYPE } from './types/http.connector-type';
import { S3_CONNECTOR_TYPE } from './types/s3.connector-type';
import { ANY_OBJECT_SCHEMA } from './types/schema-parts';
import { SMTP_CONNECTOR_TYPE } from './types/smtp.connector-type';
import { STRIPE_CONNECTOR_TYPE } from './types/stripe.connector-type';

export const BUILT_IN_CONNECTOR_TYPES: readonly ConnectorTypeDefinition[] = [HTTP_CONNECTOR_TYPE, STRIPE_CONNECTOR_TYPE, SMTP_CONNECTOR_TYPE, S3_CONNECTOR_TYPE];

/** One operation as an `http` connector's config declares it (validated by the http config_schema). */
interface ConfiguredHttpOperation {
  operation_id: string;
  title?: string;
  method: HttpMethod;
  path: string;
  headers?: Record<string, string>;
  payload_schema?: Record<string, unknown>;
}

/** The connector types known to this deployment, by type id. Definitions are frozen: callers share them. */
export class ConnectorTypeRegistry {
  private readonly byType = new Map<string, ConnectorTypeDefinition>();

  constructor(definitions: readonly ConnectorTypeDefinition[] = BUILT_IN_CONNECTOR_TYPES) {
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`connector type ${definition.type} is defined twice`);
      this.byType.set(definition.type, deepFreeze(structuredClone(definition)));
    }
  }

  list(): readonly ConnectorTypeDefinition[] {
    return [...this.byType.values()];
  }

  get(type: string): ConnectorTypeDefinition | undefined {
    return this.byType.get(type);
  }

  /** The operations a connector of this type offers: fixed by the type, or (http) declared in its config. */
  operationsOf(definition: ConnectorTypeDefinition, config: Record<string, unknown>): ConnectorOperation[] {
    if (!definition.operations_from_config) return [...definition.operations];
    const configured = Array.isArray(config['operations']) ? (config['operations'] as ConfiguredHttpOperation[]) : [];
    return configured.map((operation) => ({
      operation_id: operation.operation_id,
      title: operation.title ?? operation.operation_id,
      payload_schema: operation.payload_schema ?? ANY_OBJECT_SCHEMA,
      output_schema: ANY_OBJECT_SCHEMA,
      http: { method: operation.method, path_template: operation.path, ...(operation.headers ? { headers: operation.headers } : {}) },
    }));
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
