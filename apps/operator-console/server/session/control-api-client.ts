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

/** The caller context of a browser request. */
export function callerOf(request: { id: unknown; ip: string | undefined }): CallerContext {
  return { requestId: String(request.id), ip: request.ip };
}

/** Upstream refusals of login/refresh passed through to the browser as they are (code, message, status, retry-after). */
const SESSION_PASSED_THROUGH = new Set([400, 401, 429]);
/** The same for an operator's own calls (impersonation): control-api's decision is the answer. */
const OPERATOR_PASSED_THROUGH = new Set([400, 401, 403, 404, 409, 429]);

/** control-api's answer to POST /v1/impersonation. */
export interface StartedImpersonation {
  id: string;
  workspace_id: string;
  expires_at: string;
  exec_token: string;
}

interface CallOptions {
  method: 'POST' | 'DELETE';
  path: string;
  body: unknown;
  caller: CallerContext;
  token?: string;
  passedThrough: ReadonlySet<number>;
}

/** The control-api calls the BFF makes itself (not proxied): login, refresh, impersonation start/stop; over undici with a 5 s budget. */
@Injectable()
export class ControlApiClient {
  constructor(@Inject(APP_CONFIG) private readonly config: ConsoleConfig) {}

  async login(email: string, password: string, caller: CallerContext): Promise<ControlApiSession> {
    return this.expect(await this.call({ method: 'POST', path: 'v1/auth/login', body: { email, password }, caller, passedThrough: SESSION_PASSED_THROUGH }), 200, isSession);
  }

  async refresh(refreshToken: string, caller: CallerContext): Promise<ControlApiSession> {
    return this.expect(await this.call({ method: 'POST', path: 'v1/auth/refresh', body: { refresh_token: refreshToken }, caller, passedThrough: SESSION_PASSED_THROUGH }), 200, isSession);
  }

  async startImpersonation(token: string, body: { workspace_id: string; ttl_seconds?: number; reason?: string }, caller: CallerContext): Promise<StartedImpersonation> {
    const answer = await this.call({ method: 'POST', path: 'v1/impersonation', body, caller, token, passedThrough: OPERATOR_PASSED_THROUGH });
    return this.expect(answer, 201, isStartedImpersonation);
  }

  /** Ends an impersonation session; a 409 (already stopped) counts as done. */
  async stopImpersonation(token: string, sessionId: string, reason: string | undefined, caller: CallerContext): Promise<void> {
    const answer = await this.call({ method: 'DELETE', path: `v1/impersonation/${encodeURIComponent(sessionId)}`, body: reason === undefined ? {} : { reason }, caller, token, passedThrough: OPERATOR_PASSED_THROUGH });
    if (answer.status === 200) return;
    throw new DomainError('UPSTREAM_ERROR', 'control-api answered unexpectedly');
  }

  private expect<T>(answer: { status: number; parsed: unknown }, status: number, guard: (body: unknown) => body is T): T {
    if (answer.status === status && guard(answer.parsed)) return answer.parsed;
    throw new DomainError('UPSTREAM_ERROR', 'control-api answered unexpectedly');
  }

  private async call(options: CallOptions): Promise<{ status: number; parsed: unknown }> {
    const base = this.config.CONTROL_API_URL.endsWith('/') ? this.config.CONTROL_API_URL : `${this.config.CONTROL_API_URL}/`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(new URL(options.path, base), {
        method: options.method,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [REQUEST_ID_HEADER]: options.caller.requestId,
          ...(options.caller.ip ? { 'x-forwarded-for': options.caller.ip } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify(options.body),
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
    if (options.passedThrough.has(response.statusCode)) throw passThrough(response.statusCode, parsed, response.headers['retry-after']);
    return { status: response.statusCode, parsed };
  }
}

const FALLBACK_CODES: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITED' };

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

function isStartedImpersonation(body: unknown): body is StartedImpersonation {
  const b = body as Partial<StartedImpersonation> | undefined;
  return typeof b?.id === 'string' && typeof b.workspace_id === 'string' && typeof b.expires_at === 'string' && typeof b.exec_token === 'string';
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string; code?: string } | undefined)?.name;
  const code = (error as { code?: string } | undefined)?.code;
  return name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
