import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch, TEST_SESSION } from './testing/test-utils';

afterEach(cleanup);

const UPSTREAMS = { status: 200, body: { control_api: 'up', exec_api: 'up' } };
const UNAUTHENTICATED = { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'No valid console session', request_id: 'req-1' } } };

describe('console routes', () => {
  it('shows the product name and the sign-in page at /login', async () => {
    vi.stubGlobal('fetch', routedFetch({ 'GET /api/session': UNAUTHENTICATED, 'GET /api/bff/upstreams': UPSTREAMS }).fetch);
    renderAt('/login');

    expect(screen.getByRole('banner').textContent).toContain('Orchestrator console');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it('sends a visitor without a session to /login', async () => {
    vi.stubGlobal('fetch', routedFetch({ 'GET /api/session': UNAUTHENTICATED, 'GET /api/bff/upstreams': UPSTREAMS }).fetch);
    const { router } = renderAt('/w/123/connectors');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
  });

  it('says so for an unknown page once signed in', async () => {
    vi.stubGlobal('fetch', routedFetch({ 'GET /api/session': { status: 200, body: TEST_SESSION }, 'GET /api/bff/upstreams': UPSTREAMS, 'GET /api/control/v1/workspaces': { status: 200, body: { data: [], next_cursor: null } } }).fetch);
    renderAt('/nowhere');

    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    await waitFor(() => expect(screen.getByText('ada@example.com')).toBeTruthy());
  });
});
