import { DomainError } from '@orch/contracts';

/**
 * Opaque keyset cursors: base64url of the JSON array of the last row's sort values (the same
 * shape TenantScopedRepository uses), so a client can only hand back what a page gave it.
 */
export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, isValid: (values: string[]) => boolean): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string') || !isValid(values)) {
    throw new DomainError('VALIDATION_FAILED', 'cursor is invalid', { details: [{ path: '/cursor', message: 'is invalid' }] });
  }
  return values;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
