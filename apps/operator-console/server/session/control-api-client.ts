import { Inject, Injectable } from '@nestjs/common';
import { request } from 'undici';
import { DomainError, type ErrorCode, httpStatusOf, isErrorCode, REQUEST_ID_HEADER } from '@orch/contracts';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';

export const CONTROL_API_TIMEOUT_MS = 5000;

/** control-api's answer to POST /v1/auth/login and /v1/auth/refresh. */
export interface ControlApiSession {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  operator: { id: string; email: string; roles: string[] };
}

/** Who is asking, forwarded to control-api: its request id, and the browser's address for the per-IP login throttle. */
export interface CallerContext {
  requestId: string;
  ip: string | undefined;
}

/** Upstream refusals passed through to the browser as they are (code, message, status, retry-after). */
const PASSED_THROUGH = new Set([400, 401, 429]);

/** The two control-api calls the session needs: login and refresh, over undici with a 5 s budget. */
@Injectable()
export class ControlApiClient {
  constructor(@Inject(APP_CONFIG) private readonly config: ConsoleConfig) {}

  login(email: string, password: string, caller: CallerContext): Promise<ControlApiSession> {
    return this.post('v1/auth/login', { email, password }, caller);
  }

  refresh(refreshToken: string, caller: CallerContext): Promise<ControlApiSession> {
    return this.post('v1/auth/refresh', { refresh_token: refreshToken }, caller);
  }

  private async post(path: string, body: unknown, caller: CallerContext): Promise<ControlApiSession> {
    const base = this.config.CONTROL_API_URL.endsWith('/') ? this.config.CONTROL_API_URL : `${this.config.CONTROL_API_URL}/`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(new URL(path, base), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [REQUEST_ID_HEADER]: caller.requestId,
          ...(caller.ip ? { 'x-forwarded-for': caller.ip } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CONTROL_API_TIMEOUT_MS),
        headersTimeout: CONTROL_API_TIMEOUT_MS,
        bodyTimeout: CONTROL_API_TIMEOUT_MS,
      });
    } catch (error) {
      if (isTimeout(error)) throw new DomainError('UPSTREAM_TIMEOUT', 'control-api did not answer in time', { cause: error });
      throw new DomainError('UPSTREAM_UNREACHABLE', 'control-api is unreachable', { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = await response.body.json();
    } catch (error) {
      if (isTimeout(error)) throw new DomainError('UPSTREAM_TIMEOUT', 'control-api did not answer in time', { cause: error });
      parsed = undefined;
    }
    if (response.statusCode === 200 && isSession(parsed)) return parsed;
    if (PASSED_THROUGH.has(response.statusCode)) throw passThrough(response.statusCode, parsed, response.headers['retry-after']);
    throw new DomainError('UPSTREAM_ERROR', 'control-api answered unexpectedly');
  }
}

const FALLBACK_CODES: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHENTICATED', 429: 'RATE_LIMITED' };

/** control-api's envelope as a DomainError of the same code (hence status), message and details. */
function passThrough(status: number, body: unknown, retryAfter: string | string[] | undefined): DomainError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code = isErrorCode(error?.code) && httpStatusOf(error.code) === status ? error.code : FALLBACK_CODES[status];
  const message = typeof error?.message === 'string' ? error.message : 'control-api refused the request';
  const retry = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  return new DomainError(code, message, {
    ...(error?.details === undefined ? {} : { details: error.details }),
    ...(retry ? { headers: { 'retry-after': retry } } : {}),
  });
}

function isSession(body: unknown): body is ControlApiSession {
  const b = body as Partial<ControlApiSession> | undefined;
  return (
    typeof b?.access_token === 'string' &&
    typeof b.refresh_token === 'string' &&
    typeof b.expires_in === 'number' &&
    typeof b.operator?.id === 'string' &&
    typeof b.operator.email === 'string' &&
    Array.isArray(b.operator.roles)
  );
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string; code?: string } | undefined)?.name;
  const code = (error as { code?: string } | undefined)?.code;
  return name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
