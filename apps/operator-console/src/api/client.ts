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
    async request<T>(path: string, { method = 'GET', body, signal }: RequestOptions = {}): Promise<T> {
      if (!path.startsWith('/api/')) throw new Error(`BFF paths start with /api/: ${path}`);
      const requestId = makeRequestId();
      const headers: Record<string, string> = { accept: 'application/json', [REQUEST_ID_HEADER]: requestId };
      if (body !== undefined) headers['content-type'] = 'application/json';

      let response: Response;
      try {
        response = await fetchImpl(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: 'same-origin' });
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
