const SECRET_KEY = /(secret|password|token|private|credential|api_?key|hash)/i;

/** before/after snapshots keep their shape but never a secret (nor a hash of one). */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, SECRET_KEY.test(key) ? (inner === null || inner === undefined ? inner : '[redacted]') : redactSecrets(inner)]),
    );
  }
  return value;
}
