import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch, TEST_SESSION } from '../testing/test-utils';
import { LoginPage } from './login-page';

afterEach(cleanup);

const UNAUTHENTICATED = { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'No valid console session', request_id: 'req-1' } } };

describe(LoginPage.name, () => {
  it('renders labelled email and password fields, submit disabled until both are filled', async () => {
    vi.stubGlobal('fetch', routedFetch({ 'GET /api/session': UNAUTHENTICATED, 'GET /api/bff/upstreams': { status: 200, body: { control_api: 'up', exec_api: 'up' } } }).fetch);
    renderAt('/login');

    expect(await screen.findByLabelText('Email')).toHaveProperty('type', 'email');
    expect(screen.getByLabelText('Password')).toHaveProperty('type', 'password');
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', true);
  });

  it('signs in through POST /api/session and opens the workspaces page', async () => {
    const stub = routedFetch({
      'GET /api/session': UNAUTHENTICATED,
      'POST /api/session': { status: 200, body: TEST_SESSION },
      'GET /api/bff/upstreams': { status: 200, body: { control_api: 'up', exec_api: 'up' } },
      'GET /api/control/v1/workspaces': { status: 200, body: { data: [], next_cursor: null } },
    });
    vi.stubGlobal('fetch', stub.fetch);
    const { router } = renderAt('/login');

    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/workspaces'));
    const login = stub.calls.find((c) => c.method === 'POST' && c.url === '/api/session');
    expect(JSON.parse(String(login?.init?.body))).toEqual({ email: 'ada@example.com', password: 'correct horse battery' });
  });

  it('shows the envelope message and request id of a refused sign-in', async () => {
    vi.stubGlobal(
      'fetch',
      routedFetch({
        'GET /api/session': UNAUTHENTICATED,
        'POST /api/session': { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Wrong email or password', request_id: 'req-42' } } },
        'GET /api/bff/upstreams': { status: 200, body: { control_api: 'up', exec_api: 'up' } },
      }).fetch,
    );
    renderAt('/login');

    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Wrong email or password');
    expect(alert.textContent).toContain('req-42');
  });
});
