import { ApiError, type ApiErrorBody, CliError } from './errors';

export interface RequestOptions {
  body?: unknown;
  /** Bearer token; left out for the public routes (bootstrap, login, token). */
  token?: string;
  headers?: Record<string, string>;
}

const TIMEOUT_MS = 15_000;

function isEnvelope(body: unknown): body is { error: ApiErrorBody } {
  const error = (body as { error?: Partial<ApiErrorBody> } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The control API over HTTP, nothing else: JSON in, JSON out, error envelopes as ApiError. */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the control API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (response.ok) return body as T;
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (isEnvelope(body)) throw new ApiError(response.status, { request_id: requestId, ...body.error }, body);
    throw new ApiError(response.status, { code: `HTTP_${response.status}`, message: typeof body === 'string' && body ? body.slice(0, 200) : response.statusText, request_id: requestId }, body);
  }
}

/** `--url`, then ORCH_CONTROL_URL, then the session's, then the local default; no trailing slash. */
export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`the control API URL must be http(s): ${raw}`);
  return url.toString().replace(/\/+$/, '');
}
