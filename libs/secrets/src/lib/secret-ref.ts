/** Names of secret refs and of vault secrets: what follows `vault://` and appears in URLs. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** What `env://` may name. */
export const ENV_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;
/** A ref as the API accepts it (no version pin: a ref follows the latest version). */
export const SECRET_REF_PATTERN = /^(env:\/\/[A-Z][A-Z0-9_]*|vault:\/\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;

/**
 * The process's own secrets and connection strings: an env:// ref must not hand them to a
 * workspace's connector (which would send them upstream).
 */
export function isReservedEnvName(name: string): boolean {
  return name.startsWith('ORCH_') || ['DATABASE_URL', 'REDIS_URL', 'TEST_DATABASE_ADMIN_URL'].includes(name);
}

export type ParsedSecretRef = { kind: 'env'; name: string } | { kind: 'vault'; name: string; version: number | null };

/** Null when the ref is not one this build resolves. `vault://name#3` pins version 3. */
export function parseSecretRef(ref: string): ParsedSecretRef | null {
  const env = /^env:\/\/(.+)$/.exec(ref);
  if (env) return ENV_NAME_PATTERN.test(env[1] ?? '') ? { kind: 'env', name: env[1] as string } : null;
  const vault = /^vault:\/\/([^#]+)(?:#([1-9][0-9]{0,8}))?$/.exec(ref);
  if (vault && SECRET_NAME_PATTERN.test(vault[1] ?? '')) return { kind: 'vault', name: vault[1] as string, version: vault[2] ? Number(vault[2]) : null };
  return null;
}
