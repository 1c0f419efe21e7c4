import { type ErrorCode, httpStatusOf } from './error-codes';

/**
 * The one exception type services throw. It carries a stable code; the global filter turns
 * it into the envelope and the HTTP status from ERROR_STATUS. The message is shown to the
 * caller, so it must never contain secrets, SQL or internals.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** Extra response headers (e.g. Retry-After on 429/503). */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }
}
