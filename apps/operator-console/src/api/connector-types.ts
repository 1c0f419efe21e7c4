import type { ApiClient } from './client';
import { workspacePath } from './paths';

export type JsonSchemaObject = Record<string, unknown>;

export interface ConnectorOperation {
  operation_id: string;
  title: string;
  payload_schema: JsonSchemaObject;
  output_schema: JsonSchemaObject;
  http?: { method: string; path_template: string; headers?: Record<string, string> };
}

/** GET …/connector-types: the built-in types with their config and secret schemas. */
export interface ConnectorType {
  type: string;
  title: string;
  description: string;
  config_schema: JsonSchemaObject;
  secret_schema: JsonSchemaObject;
  operations: ConnectorOperation[];
  operations_from_config: boolean;
  webhook_verification?: string;
}

export function fetchConnectorTypes(client: ApiClient, workspaceId: string, signal?: AbortSignal): Promise<{ data: ConnectorType[] }> {
  return client.request<{ data: ConnectorType[] }>(workspacePath(workspaceId, 'connector-types'), { signal });
}
