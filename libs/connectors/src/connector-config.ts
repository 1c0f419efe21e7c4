import type { FieldError } from '@orch/contracts';
import type { ConnectorTypeDefinition } from './connector-type';
import type { SchemaValidator, SecretRefUse } from './schema-validator';

export interface ConnectorConfigValidation {
  errors: FieldError[];
  /** The config with the type's defaults filled in: what is stored. */
  config: Record<string, unknown>;
  /** Where the config names secret refs (paths under basePath). */
  secretRefs: SecretRefUse[];
}

/**
 * A connector's config against its type: the config_schema, and for types whose operations
 * come from the config (http) unique operation ids, paths relative to base_url (or absolute
 * without one), and payload schemas that are themselves valid JSON Schema.
 */
export function validateConnectorConfig(validator: SchemaValidator, definition: ConnectorTypeDefinition, config: unknown, basePath = '/config'): ConnectorConfigValidation {
  const result = validator.validate<Record<string, unknown>>(definition.config_schema, config, basePath);
  const errors = [...result.errors];
  if (definition.operations_from_config && errors.length === 0) errors.push(...configuredOperationProblems(validator, result.value, basePath));
  return { errors, config: result.value, secretRefs: result.secretRefs };
}

function configuredOperationProblems(validator: SchemaValidator, config: Record<string, unknown>, basePath: string): FieldError[] {
  const operations = Array.isArray(config['operations']) ? (config['operations'] as Array<Record<string, unknown>>) : [];
  const problems: FieldError[] = [];
  const ids = new Set<unknown>();
  const hasBaseUrl = typeof config['base_url'] === 'string';
  operations.forEach((operation, i) => {
    const at = `${basePath}/operations/${i}`;
    const path = String(operation['path']);
    if (hasBaseUrl && !path.startsWith('/')) problems.push({ path: `${at}/path`, message: 'must start with / (it is relative to base_url)' });
    if (!hasBaseUrl && !/^https?:\/\//.test(path)) problems.push({ path: `${at}/path`, message: 'must be an absolute http(s) URL when the connector has no base_url' });
    if (ids.has(operation['operation_id'])) problems.push({ path: `${at}/operation_id`, message: 'is already used by another operation' });
    ids.add(operation['operation_id']);
    if (operation['payload_schema'] !== undefined) problems.push(...validator.checkSchema(operation['payload_schema'], `${at}/payload_schema`));
  });
  return problems;
}
