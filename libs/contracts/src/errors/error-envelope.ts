import type { ErrorCode } from './error-codes';

/** One problem with one input field; `path` is a JSON Pointer (RFC 6901) into the request body or query. */
export interface FieldError {
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  request_id: string;
  details?: unknown;
}

/** The body of every error response of every app. */
export interface ErrorEnvelope {
  error: ErrorBody;
}
