import type { AttemptResult } from './runtime';

/**
 * Thrown by the pure request builders when a call cannot be made as configured (missing secret,
 * missing path value…). Runtimes turn it into `{ kind: 'invalid' }`. Its message is written by
 * us and never includes a secret or a payload value.
 */
export class InvalidCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCallError';
  }
}

/** An InvalidCallError (or a URL that does not parse) as `invalid`; anything else is a bug and rethrown. */
export function invalidResult(err: unknown): AttemptResult {
  if (err instanceof InvalidCallError) return { kind: 'invalid', message: err.message, durationMs: 0 };
  if (err instanceof TypeError && (err as { code?: unknown }).code === 'ERR_INVALID_URL') {
    return { kind: 'invalid', message: 'the operation URL is not valid', durationMs: 0 };
  }
  throw err;
}
