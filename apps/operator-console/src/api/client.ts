import { type ErrorBody, isErrorCode, REQUEST_ID_HEADER } from '@orch/contracts';
import { ApiError } from './api-error';
import { newRequestId } from './request-id';

export interface ApiClientOptions {
  /** Injected in tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
  newRequestId?: () => string;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Why a mutation is made: sent as `X-Reason` (control-api audits it; required on its mutations). */
  reason?: string;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, string | number | boolean | undefined | null>;
}

/** Header carrying the session's CSRF token on every mutating BFF call. */
export const CSRF_HEADER = 'x-csrf-token';
export const REASON_HEADER = 'x-reason';

let csrfToken: string | undefined;

/** Set from the session (login, GET /api/session); cleared at logout. Never persisted. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
}

/**
 * The one way the SPA talks to its BFF: same-origin calls under /api, JSON both ways, an
 * x-request-id on every call, and every failure thrown as an ApiError.
 */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const makeRequestId = options.newRequestId ?? newRequestId;

  return {
    async request<T>(rawPath: string, { method = 'GET', body, signal, reason, headers: extraHeaders, query }: RequestOptions = {}): Promise<T> {
      if (!rawPath.startsWith('/api/')) throw new Error(`BFF paths start with /api/: ${rawPath}`);
      const path = withQuery(rawPath, query);
      const requestId = makeRequestId();
      const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders, [REQUEST_ID_HEADER]: requestId };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
      // Header values are ASCII; a reason with other characters travels as the body's `reason` field.
      let sentBody = body;
      if (reason !== undefined) {
        if (/^[\x20-\x7e]*$/.test(reason) || typeof body !== 'object' || body === null || Array.isArray(body)) headers[REASON_HEADER] = reason;
        else sentBody = { ...body, reason };
      }

      let response: Response;
      try {
        response = await fetchImpl(path, { method, headers, body: sentBody === undefined ? undefined : JSON.stringify(sentBody), signal, credentials: 'same-origin' });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'The console server could not be reached', requestId });
      }

      const answeredId = response.headers.get(REQUEST_ID_HEADER) ?? requestId;
      if (!response.ok) throw await toApiError(response, answeredId);
      if (response.status === 204) return undefined as T;
      try {
        return (await response.json()) as T;
      } catch {
        throw new ApiError({ status: response.status, code: 'INVALID_RESPONSE', message: 'The console server sent a response that is not JSON', requestId: answeredId });
      }
    },
  };
}

async function toApiError(response: Response, requestId: string): Promise<ApiError> {
  const envelope = await response.json().then(
    (body: unknown) => errorBodyOf(body),
    () => undefined,
  );
  if (envelope) {
    return new ApiError({ status: response.status, code: envelope.code, message: envelope.message, requestId: envelope.request_id, details: envelope.details });
  }
  return new ApiError({ status: response.status, code: 'INVALID_RESPONSE', message: `The console server answered ${response.status} without an error envelope`, requestId });
}

function errorBodyOf(body: unknown): ErrorBody | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, request_id: requestId, details } = error as Record<string, unknown>;
  if (!isErrorCode(code) || typeof message !== 'string' || typeof requestId !== 'string') return undefined;
  return { code, message, request_id: requestId, ...(details === undefined ? {} : { details }) };
}

export const apiClient = createApiClient();
