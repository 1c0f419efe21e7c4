// Token issue/verify, the global guard, the access matrix (RBAC), live sessions,
// impersonation support, the tamper-evident audit log, password and secret hashing.
export * from './access/access.decorators';
export * from './access/access-rules';
export * from './access/authorize';
export * from './access/principal';
export * from './access/scopes';
export * from './audit/audit-chain';
export * from './audit/audit.service';
export * from './audit/canonical-json';
export * from './audit/redact';
export * from './auth.guard';
export * from './auth.module';
export * from './auth.options';
export * from './keys/key-ring';
export * from './passwords/password-hasher';
export * from './sessions/session-store';
export * from './tokens/claims';
export * from './tokens/token-issuer';
export * from './tokens/token-verifier';
export * from './access/render-matrix';
