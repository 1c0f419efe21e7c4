// DTO shapes, error codes and envelope, event and queue payload types. No framework code.
export * from './errors/error-codes';
export * from './errors/error-envelope';
export * from './errors/domain-error';
export * from './errors/json-pointer';
export * from './request-id';
export * from './queues';
export * from './canonical-json';
export * from './events';
export * from './policy-schema';
