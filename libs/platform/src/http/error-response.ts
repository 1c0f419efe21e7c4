import { HttpException } from '@nestjs/common';
import { DomainError, type ErrorCode, ERROR_STATUS, type ErrorEnvelope, isErrorCode } from '@orch/contracts';

export interface ErrorResponse {
  status: number;
  envelope: ErrorEnvelope;
  headers: Record<string, string>;
  /** True when the cause is ours, not the caller's: log it with its stack. */
  unexpected: boolean;
}

/** Which code a bare HTTP status stands for, when nothing more specific is known. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  502: 'UPSTREAM_ERROR',
  503: 'UNAVAILABLE',
  504: 'UPSTREAM_TIMEOUT',
};

/** Fastify's own errors (body parsing, limits) raised before a handler runs. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'VALIDATION_FAILED', message: 'Body cannot be empty when Content-Type is application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_FAILED', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'VALIDATION_FAILED', message: 'Malformed JSON body' },
};

interface ErrorWithStatus {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  name?: unknown;
  message?: unknown;
}

/**
 * Turns anything thrown into the status, envelope and headers of the response. The one place
 * where errors become HTTP: domain errors by their code, Nest and Fastify errors by kind or
 * status, everything else a 500 with a message that reveals nothing.
 */
export function toErrorResponse(exception: unknown, requestId: string): ErrorResponse {
  const build = (code: ErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}, unexpected = false): ErrorResponse => ({
    status: ERROR_STATUS[code],
    envelope: { error: { code, message, request_id: requestId, ...(details === undefined ? {} : { details }) } },
    headers,
    unexpected,
  });

  if (exception instanceof DomainError) {
    return build(exception.code, exception.message, exception.details, { ...exception.headers }, exception.status >= 500 && exception.code === 'INTERNAL');
  }

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const body = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const code = isErrorCode(body['code']) ? body['code'] : CODE_FOR_STATUS[status];
    if (!code || status >= 500) return build('INTERNAL', 'Internal server error', undefined, {}, true);
    const message = typeof body['message'] === 'string' ? body['message'] : exception.message;
    return build(code, message, body['details']);
  }

  const err = (typeof exception === 'object' && exception !== null ? exception : {}) as ErrorWithStatus;
  if (typeof err.code === 'string' && FASTIFY_ERRORS[err.code]) {
    const known = FASTIFY_ERRORS[err.code];
    return build(known.code, known.message);
  }
  // JSON.parse failures surface as SyntaxError with statusCode 400.
  const status = typeof err.statusCode === 'number' ? err.statusCode : typeof err.status === 'number' ? err.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    if (err.name === 'SyntaxError') return build('VALIDATION_FAILED', 'Malformed JSON body');
    return build(CODE_FOR_STATUS[status] ?? 'VALIDATION_FAILED', 'Request could not be processed');
  }
  return build('INTERNAL', 'Internal server error', undefined, {}, true);
}
