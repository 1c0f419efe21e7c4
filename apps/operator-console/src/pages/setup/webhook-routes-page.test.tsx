import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const KEY = '9mez96a5Dku7fkqIXBJmmLil01mho9W95AC9kvgC-MQ';
const ROUTE = {
  id: '047f6bd1-1a84-4ecd-8c2c-72b4cb56fcf4',
  workspace_id: WS,
  provider: 'hmac-sha256',
  route_key: KEY,
  ingress_path: `/v1/webhooks/hmac-sha256/${KEY}`,
  provider_account_id: null,
  signing_secret_ref: 'shop-whsec',
  previous_signing_secret_ref: null,
  previous_secret_expires_at: null,
  verification: { scheme: 'hmac-sha256', header_name: 'x-signature', encoding: 'hex', event_id_path: '$.id' },
  target: { kind: 'store' },
  enabled: true,
  created_at: '2026-11-27T02:38:33.069Z',
  updated_at: '2026-11-27T02:38:33.069Z',
};
const REFS = page(['shop-whsec', 'shop-whsec-2'].map((name) => ({ id: name, workspace_id: WS, name, ref: `vault://${name}`, created_at: '', updated_at: '' })));

describe('webhook routes', () => {
  it('creates an hmac route and shows the ingress URL from the BFF config', async () => {
    let listed: unknown[] = [];
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      'GET /api/bff/config': { status: 200, body: { webhook_ingress_url: 'https://hooks.example.com/' } },
      [`GET ${WS_PATH}/webhook-routes`]: () => page(listed),
      [`GET ${WS_PATH}/secret-refs`]: REFS,
      [`GET ${WS_PATH}/connectors`]: page([]),
      [`POST ${WS_PATH}/webhook-routes`]: () => {
        listed = [ROUTE];
        return { status: 201, body: ROUTE };
      },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/webhook-routes`);

    fireEvent.click(await screen.findByRole('button', { name: 'Create webhook route' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Provider'), { target: { value: 'hmac-sha256' } });
    const refSelect = within(dialog).getByLabelText('Signing secret ref');
    await waitFor(() => expect(within(refSelect).getByRole('option', { name: 'shop-whsec' })).toBeTruthy());
    fireEvent.change(refSelect, { target: { value: 'shop-whsec' } });
    fireEvent.change(within(dialog).getByLabelText('Signature header'), { target: { value: 'X-Signature' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'shop webhooks' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create webhook route' }));

    const panel = await screen.findByRole('region', { name: /give this URL to hmac-sha256/ });
    expect(panel.textContent).toContain(`https://hooks.example.com/v1/webhooks/hmac-sha256/${KEY}`);
    expect(JSON.parse(String(fetchStub.calls.find((c) => c.method === 'POST')?.init?.body))).toEqual({
      provider: 'hmac-sha256',
      signing_secret_ref: 'shop-whsec',
      target: { kind: 'store' },
      enabled: true,
      verification: { header_name: 'X-Signature', encoding: 'hex', event_id_path: '$.id' },
    });
  });

  it('shows the ingress path alone when the BFF exposes no ingress URL, and rotates the signing secret', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/webhook-routes`]: page([ROUTE]),
      [`GET ${WS_PATH}/secret-refs`]: REFS,
      [`PATCH ${WS_PATH}/webhook-routes/${ROUTE.id}`]: { status: 200, body: { ...ROUTE, signing_secret_ref: 'shop-whsec-2', previous_signing_secret_ref: 'shop-whsec' } },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/webhook-routes`);

    const table = await screen.findByRole('table', { name: 'Webhook routes' });
    expect(within(table).getByText(`/v1/webhooks/hmac-sha256/${KEY}`)).toBeTruthy();

    fireEvent.click(within(table).getByRole('button', { name: /Rotate secret/ }));
    const dialog = await screen.findByRole('dialog');
    const refSelect = within(dialog).getByLabelText('New signing secret ref');
    await waitFor(() => expect(within(refSelect).getByRole('option', { name: 'shop-whsec-2' })).toBeTruthy());
    expect(within(refSelect).queryByRole('option', { name: 'shop-whsec' })).toBeNull();
    fireEvent.change(refSelect, { target: { value: 'shop-whsec-2' } });
    fireEvent.change(within(dialog).getByLabelText(/Previous secret accepted for/), { target: { value: '3600' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'rotate signing secret' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patch = fetchStub.calls.find((c) => c.method === 'PATCH');
    expect(JSON.parse(String(patch?.init?.body))).toEqual({ signing_secret_ref: 'shop-whsec-2', rotation_grace_seconds: 3600 });
    expect(new Headers(patch?.init?.headers).get('x-reason')).toBe('rotate signing secret');
  });
});
