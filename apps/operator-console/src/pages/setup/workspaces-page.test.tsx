import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch, TEST_SESSION } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const DETAIL = { id: WS, name: 'acme-dev', status: 'active', settings: { quotas: { rps: 50, concurrency: 20, queue_depth: 10000 }, retention_days: 30 }, callback_secret_ref: null, created_at: '2026-11-27T02:00:00.000Z', updated_at: '2026-11-27T02:00:00.000Z' };

describe('workspaces', () => {
  it('creates a workspace with a name and a reason', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      'POST /api/control/v1/workspaces': { status: 201, body: { ...DETAIL, id: 'new-id', name: 'beta-dev' } },
      'GET /api/control/v1/workspaces/new-id': { status: 200, body: { ...DETAIL, id: 'new-id', name: 'beta-dev' } },
      'GET /api/control/v1/workspaces/new-id/secret-refs': page([]),
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    const { router } = renderAt('/workspaces');

    const table = await screen.findByRole('table', { name: 'Workspaces' });
    expect(within(table).getByRole('link', { name: 'acme-dev' }).getAttribute('href')).toBe(`/w/${WS}/connectors`);
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'beta-dev' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'beta product' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create workspace' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/w/new-id/settings'));
    const post = fetchStub.calls.find((c) => c.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({ name: 'beta-dev' });
    expect(new Headers(post?.init?.headers).get('x-reason')).toBe('beta product');
  });

  it('hides the create button from a read-only auditor', async () => {
    const auditor = { ...TEST_SESSION, operator: { ...TEST_SESSION.operator, roles: ['ReadOnlyAuditor'] } };
    vi.stubGlobal('fetch', routedFetch({ ...BASE_ROUTES, 'GET /api/session': { status: 200, body: auditor } }).fetch);
    renderAt('/workspaces');

    await screen.findByRole('table', { name: 'Workspaces' });
    expect(screen.queryByRole('button', { name: 'Create workspace' })).toBeNull();
  });

  it('edits quotas, retention and the callback secret ref with a reason', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}`]: { status: 200, body: DETAIL },
      [`GET ${WS_PATH}/secret-refs`]: page([{ id: 'r1', workspace_id: WS, name: 'callback-key', ref: 'vault://callback-key', created_at: '', updated_at: '' }]),
      [`PATCH ${WS_PATH}`]: { status: 200, body: { ...DETAIL, callback_secret_ref: 'callback-key', settings: { ...DETAIL.settings, quotas: { ...DETAIL.settings.quotas, rps: 75 } } } },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/settings`);

    const rps = (await screen.findByLabelText(/Requests per second/)) as HTMLInputElement;
    expect(rps.value).toBe('50');
    fireEvent.change(rps, { target: { value: '75' } });
    const callback = screen.getByLabelText('Callback signing secret ref');
    await waitFor(() => expect(within(callback).getByRole('option', { name: 'callback-key' })).toBeTruthy());
    fireEvent.change(callback, { target: { value: 'callback-key' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'more traffic' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    const patch = fetchStub.calls.find((c) => c.method === 'PATCH');
    expect(JSON.parse(String(patch?.init?.body))).toEqual({ settings: { quotas: { rps: 75, concurrency: 20, queue_depth: 10000 }, retention_days: 30 }, callback_secret_ref: 'callback-key' });
  });
});
