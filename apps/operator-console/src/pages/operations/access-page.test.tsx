import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch, TEST_SESSION } from '../../testing/test-utils';
import { AccessPage } from './access-page';
import { allowSlowRenders, bodyOf, consoleStubs, headerOf, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const BREAK_GLASS_SESSION = { ...TEST_SESSION, operator: { ...TEST_SESSION.operator, roles: ['BreakGlassAdmin'] } };

describe(AccessPage.name, () => {
  it('activates break-glass with a reason and shows until when it is active', async () => {
    const stub = routedFetch({
      ...consoleStubs(BREAK_GLASS_SESSION),
      'GET /api/control/v1/auth/me': { status: 200, body: { id: 'o1', email: 'ada@example.com', roles: ['BreakGlassAdmin'], break_glass_active: false } },
      'POST /api/control/v1/break-glass/activate': { status: 201, body: { activation_id: '2250db7f-7849-4581-9b0f-8a42600920de', expires_at: '2099-11-27T02:22:17.729Z' } },
    });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt('/access');

    expect(await screen.findByText('Break-glass is not active.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Activate break-glass' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Duration/), { target: { value: '30' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'INC-9 database failover' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Activate' }));

    const state = await screen.findByText(/active/, { selector: 'strong' });
    expect(state.parentElement?.textContent).toMatch(/^Break-glass active until 2099-11-27 \d\d:22:17\.$/);
    const activate = stub.calls.find((c) => c.method === 'POST');
    expect(bodyOf(activate?.init)).toEqual({ ttl_seconds: 1800 });
    expect(headerOf(activate?.init, 'x-reason')).toBe('INC-9 database failover');
  });

  it('explains break-glass to other roles and starts an impersonation of the chosen workspace', async () => {
    const stub = routedFetch({ ...consoleStubs(), 'POST /api/impersonation': { status: 201, body: { id: 'i-1', workspace_id: WS, expires_at: '2099-01-01T00:00:00.000Z' } } });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt('/access');

    expect(await screen.findByText(/Break-glass is for BreakGlassAdmin operators/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Activate break-glass' })).toBeNull();
    expect(screen.getByText('Not impersonating any workspace.')).toBeTruthy();
    await screen.findAllByRole('option', { name: 'acme-dev' });
    fireEvent.change(screen.getByLabelText('Workspace to act as'), { target: { value: WS } });
    fireEvent.click(screen.getByRole('button', { name: 'Start impersonating' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'support ticket 12' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start impersonating' }));

    await vi.waitFor(() => expect(stub.calls.some((c) => c.method === 'POST' && c.url === '/api/impersonation')).toBe(true));
    expect(bodyOf(stub.calls.find((c) => c.method === 'POST')?.init)).toEqual({ workspace_id: WS, ttl_seconds: 900, reason: 'support ticket 12' });
  });
});
