import type { RJSFSchema } from '@rjsf/utils';
import type { ApiClient } from './client';
import type { ConnectorType } from './connector-types';
import type { Connector } from './connectors';
import { execPath } from './paths';

/** An operation the playground can run, with the schema of its payload (if it declares one). */
export interface PlaygroundOperation {
  operation_id: string;
  title?: string;
  payload_schema?: RJSFSchema;
}

/** A connector's operations: its type's, or (http and other `operations_from_config` types) those of its config. */
export function operationsOf(connector: Pick<Connector, 'type' | 'config'> | undefined, types: ConnectorType[] | undefined): PlaygroundOperation[] {
  if (!connector) return [];
  const type = types?.find((candidate) => candidate.type === connector.type);
  const ofType = (type?.operations ?? []).map((op) => ({ operation_id: op.operation_id, title: op.title, payload_schema: op.payload_schema as RJSFSchema }));
  if (type && !type.operations_from_config && ofType.length > 0) return ofType;
  const fromConfig = connector.config['operations'];
  if (!Array.isArray(fromConfig)) return ofType;
  return fromConfig
    .filter((op): op is Record<string, unknown> => typeof op === 'object' && op !== null && typeof (op as Record<string, unknown>)['operation_id'] === 'string')
    .map((op) => ({
      operation_id: op['operation_id'] as string,
      ...(typeof op['title'] === 'string' ? { title: op['title'] } : {}),
      ...(typeof op['payload_schema'] === 'object' && op['payload_schema'] !== null ? { payload_schema: op['payload_schema'] as RJSFSchema } : {}),
    }));
}

/** Whether a schema gives rjsf fields to render; otherwise the playground shows a JSON editor. */
export function hasFormFields(schema: RJSFSchema | undefined): schema is RJSFSchema {
  return !!schema && typeof schema.properties === 'object' && schema.properties !== null && Object.keys(schema.properties).length > 0;
}

export interface ExecuteRequest {
  connector: string;
  operation: string;
  payload: Record<string, unknown>;
  timeout_ms?: number;
}

/** exec-api's 200: the upstream's output, the attempts made and the last attempt's status and duration. */
export interface ExecuteResult {
  execution_id: string;
  status: 'succeeded';
  output: unknown;
  attempts: number;
  upstream: { status: number; duration_ms: number };
}

/** POST exec-api /v1/execute through the BFF (as the impersonated workspace); an optional Idempotency-Key. */
export function executeOperation(client: ApiClient, body: ExecuteRequest, idempotencyKey?: string): Promise<ExecuteResult> {
  const key = idempotencyKey?.trim();
  return client.request<ExecuteResult>(execPath('/v1/execute'), { method: 'POST', body, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });
}
