import type { Provider } from '@nestjs/common';
import { ConnectorTypeRegistry, SchemaValidator } from '@orch/connectors';

/** One registry of the built-in types and one validator (its compiled schemas are cached) per app. */
export const CONNECTOR_TYPE_PROVIDERS: Provider[] = [
  { provide: ConnectorTypeRegistry, useFactory: () => new ConnectorTypeRegistry() },
  { provide: SchemaValidator, useFactory: () => new SchemaValidator() },
];
