import type { ErrorCode } from '@orch/contracts';

/** Failures that never reached the BFF, or whose answer was not the error envelope. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'INVALID_RESPONSE';

export interface ApiErrorInit {
  status: number;
  code: ErrorCode | ClientErrorCode;
  message: string;
  requestId: string;
  details?: unknown;
}

/**
 * What every failed BFF call throws: the envelope's code, message and request id (DESIGN §4),
 * so a page can branch on the code and show the id an operator quotes to support.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly requestId: string;
  readonly details?: unknown;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
  }
}
