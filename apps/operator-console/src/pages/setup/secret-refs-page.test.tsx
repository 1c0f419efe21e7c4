import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ref = (name: string, target: string) => ({ id: `id-${name}`, workspace_id: WS, name, ref: target, created_at: '2026-11-27T02:00:00.000Z', updated_at: '2026-11-27T02:00:00.000Z' });

describe('secret refs', () => {
  it('checks a ref and shows the result in its row', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/secret-refs`]: page([ref('acme-token', 'vault://acme-token'), ref('missing-env', 'env://NOT_SET_HERE')]),
      [`POST ${WS_PATH}/secret-refs/acme-token/check`]: { status: 200, body: { ok: true, version: 2 } },
      [`POST ${WS_PATH}/secret-refs/missing-env/check`]: { status: 200, body: { ok: false, reason: 'env_missing', message: 'environment variable NOT_SET_HERE is not set' } },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/secret-refs`);

    fireEvent.click(await screen.findByRole('button', { name: 'Check acme-token' }));
    fireEvent.click(screen.getByRole('button', { name: 'Check missing-env' }));

    const okRow = (await screen.findByText('resolves (version 2)')).closest('tr') as HTMLElement;
    expect(okRow.textContent).toContain('acme-token');
    const failedRow = (await screen.findByText('env_missing')).closest('tr') as HTMLElement;
    expect(failedRow.textContent).toContain('environment variable NOT_SET_HERE is not set');
    // A check is a read: no reason asked, none sent.
    expect(fetchStub.calls.filter((c) => c.method === 'POST').every((c) => !new Headers(c.init?.headers).has('x-reason'))).toBe(true);
    // Only vault refs can have their value set here.
    expect(within(okRow).getByRole('button', { name: 'Set value of acme-token' })).toBeTruthy();
    expect(within(failedRow).queryByRole('button', { name: /Set value/ })).toBeNull();
  });

  it('sets a vault value through a password input and a reason, never showing it', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/secret-refs`]: page([ref('acme-token', 'vault://acme-vault')]),
      [`PUT ${WS_PATH}/secrets/acme-vault`]: { status: 201, body: { name: 'acme-vault', version: 3, created_at: '2026-11-27T02:00:00.000Z' } },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/secret-refs`);

    fireEvent.click(await screen.findByRole('button', { name: 'Set value of acme-token' }));
    const dialog = await screen.findByRole('dialog');
    const input = within(dialog).getByLabelText('Secret value') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 's3cr3t-value' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set value' }));
    expect(await within(dialog).findByText('A reason is required')).toBeTruthy();
    expect(fetchStub.calls.filter((c) => c.method === 'PUT')).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'initial token' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set value' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const put = fetchStub.calls.find((c) => c.method === 'PUT');
    expect(JSON.parse(String(put?.init?.body))).toEqual({ value: 's3cr3t-value' });
    expect(new Headers(put?.init?.headers).get('x-reason')).toBe('initial token');
    expect(document.body.textContent).not.toContain('s3cr3t-value');
  });

  it('creates an env ref with a reason', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/secret-refs`]: page([]),
      [`POST ${WS_PATH}/secret-refs`]: { status: 201, body: ref('acme-env', 'env://ACME_TOKEN') },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/secret-refs`);

    expect(await screen.findByText('No secret refs yet.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create secret ref' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'acme-env' } });
    fireEvent.change(within(dialog).getByLabelText('Kind'), { target: { value: 'env' } });
    fireEvent.change(within(dialog).getByLabelText('Environment variable'), { target: { value: 'ACME_TOKEN' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'acme from env' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create secret ref' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(JSON.parse(String(fetchStub.calls.find((c) => c.method === 'POST')?.init?.body))).toEqual({ name: 'acme-env', ref: 'env://ACME_TOKEN' });
  });
});
