// E2E helpers: test database and Redis prefix, app bootstrap, fake upstream.
export * from './test-app';
export * from './test-redis';
export * from './platform-contract';
export * from './probe.module';
export * from './built-app';
export * from './process-contract';
export * from './test-database';
export * from './access-coverage';
export * from './auth-fixtures';
export * from './fake-upstream';
export * from './scratch-redis';
