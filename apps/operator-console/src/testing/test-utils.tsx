import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, type RouteObject, RouterProvider } from 'react-router';
import { consoleRoutes } from '../routes';

/** Renders with a fresh QueryClient per test: no cache or retries leak between tests. */
export function renderWithQueryClient(ui: ReactElement): RenderResult {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

/** Renders the console's routes (or the given ones) at a path, in memory. Returns the router too. */
export function renderAt(path: string, routes: RouteObject[] = consoleRoutes()) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const result = renderWithQueryClient(<RouterProvider router={router} />);
  return { ...result, router };
}

/** A fetch stub answering JSON, recording what it was asked. */
export function jsonFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchStub = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  };
  return { fetch: fetchStub as typeof fetch, calls };
}

interface StubAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Handler = (url: URL, init: RequestInit | undefined) => StubAnswer | undefined;

/**
 * A fetch stub routing by method + path (`'GET /api/session'`), answering 404 envelopes for anything
 * else. Records every call. For component tests only: the real BFF is exercised by the e2e tests.
 */
export function routedFetch(routes: Record<string, Handler | StubAnswer>) {
  const calls: Array<{ method: string; url: string; init: RequestInit | undefined }> = [];
  const fetchStub = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://console.test');
    const method = init?.method ?? 'GET';
    calls.push({ method, url: `${url.pathname}${url.search}`, init });
    const route = routes[`${method} ${url.pathname}`];
    const answer: StubAnswer | undefined = typeof route === 'function' ? route(url, init) : route;
    if (!answer) {
      return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no stub for ${method} ${url.pathname}`, request_id: 'req-test' } }), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    if (answer.status === 204) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer.body ?? {}), { status: answer.status, headers: { 'content-type': 'application/json', 'x-request-id': 'req-test', ...answer.headers } });
  };
  return { fetch: fetchStub as typeof fetch, calls };
}

export const TEST_OPERATOR = { id: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', roles: ['OperatorAdmin'] };
export const TEST_SESSION = { operator: TEST_OPERATOR, csrf_token: 'csrf-test', expires_at: '2099-01-01T00:00:00.000Z', impersonation: null };
