// Connector type registry (declarative definitions with JSON Schemas) and the one schema validator.
export * from './connector-type';
export { BUILT_IN_CONNECTOR_TYPES, ConnectorTypeRegistry } from './connector-type-registry';
export { validateConnectorConfig, type ConnectorConfigValidation } from './connector-config';
export { SCHEMA_ANNOTATION_KEYWORDS, SECRET_REF_KEYWORD, SchemaValidator, toFieldErrors, type SchemaValidation, type SecretRefUse } from './schema-validator';
export * from './egress';
export * from './runtime';
export * from './webhooks';
