// Secret-ref resolution (env://, vault://), envelope encryption, rotation.
export * from './lib/master-keyring';
export * from './lib/envelope';
export * from './lib/secret-ref';
export * from './lib/secret-vault';
export * from './lib/secret-resolver';
export * from './lib/rewrap';
export * from './lib/secrets-core.module';
export * from './lib/master-key.config';
