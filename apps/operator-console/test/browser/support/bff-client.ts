import type { APIResponse, BrowserContext } from 'playwright-core';

export interface BffAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/**
 * Calls the BFF as the page's own scripts do, from a browser context: its httpOnly session
 * cookie rides along, mutations carry the session's CSRF token (read from GET /api/session)
 * and the reason, the BFF adds the operator's (or impersonation's) token server-side.
 */
export class BffClient {
  private csrf: string | undefined;

  constructor(
    private readonly context: BrowserContext,
    private readonly baseUrl: string,
  ) {}

  async get<T = Record<string, unknown>>(path: string): Promise<BffAnswer<T>> {
    return this.answer<T>(await this.context.request.get(`${this.baseUrl}${path}`, { headers: { accept: 'application/json' } }));
  }

  async mutate<T = Record<string, unknown>>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: Record<string, unknown>, reason: string): Promise<BffAnswer<T>> {
    const csrf = await this.csrfToken();
    const response = await this.context.request.fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf, 'x-reason': reason },
      data: JSON.stringify(body),
    });
    return this.answer<T>(response);
  }

  private async csrfToken(): Promise<string> {
    if (this.csrf) return this.csrf;
    const session = await this.get<{ csrf_token?: string }>('/api/session');
    if (session.status !== 200 || !session.body.csrf_token) throw new Error(`GET /api/session answered ${session.status}: no session to take a CSRF token from`);
    this.csrf = session.body.csrf_token;
    return this.csrf;
  }

  private async answer<T>(response: APIResponse): Promise<BffAnswer<T>> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status(), body: body as T };
  }
}
