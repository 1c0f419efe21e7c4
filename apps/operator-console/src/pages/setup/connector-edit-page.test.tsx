import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, DEFAULT_POLICY_ROW, HTTP_TYPE, page, SECRET_CONFIG_TYPE, STRIPE_TYPE, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function stub(extra: Parameters<typeof routedFetch>[0] = {}) {
  const fetchStub = routedFetch({
    ...BASE_ROUTES,
    [`GET ${WS_PATH}/connector-types`]: { status: 200, body: { data: [HTTP_TYPE, STRIPE_TYPE, SECRET_CONFIG_TYPE] } },
    [`GET ${WS_PATH}/policies`]: page([DEFAULT_POLICY_ROW, { ...DEFAULT_POLICY_ROW, id: 'p2', name: 'payments-strict' }]),
    [`GET ${WS_PATH}/secret-refs`]: page([]),
    ...extra,
  });
  vi.stubGlobal('fetch', fetchStub.fetch);
  return fetchStub;
}

async function chooseType(label: string) {
  const select = await screen.findByLabelText('Connector type');
  await waitFor(() => expect(within(select).getByRole('option', { name: label })).toBeTruthy());
  fireEvent.change(select, { target: { value: within(select).getByRole('option', { name: label }).getAttribute('value') } });
}

describe('connector form generated from the type config_schema', () => {
  it('renders the fields of the chosen type, with the schema titles', async () => {
    stub();
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('Stripe (stripe)');

    expect(await screen.findByLabelText(/API key \(secret ref\)/)).toBeTruthy();
    expect(screen.getByLabelText(/API base URL/)).toBeTruthy();
    expect((screen.getByLabelText(/API base URL/) as HTMLInputElement).value).toBe('https://api.stripe.com');
    // The policy picker lists the workspace's policies.
    const policy = screen.getByLabelText('Policy');
    await waitFor(() => expect(within(policy).getByRole('option', { name: 'payments-strict' })).toBeTruthy());
  });

  it('shows the schema message for a missing required field and sends nothing', async () => {
    const fetchStub = stub();
    renderAt(`/w/${WS}/connectors/new`);
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'payments' } });
    await chooseType('Stripe (stripe)');
    await screen.findByLabelText(/API key \(secret ref\)/);

    fireEvent.click(screen.getByRole('button', { name: 'Create connector' }));

    expect(await screen.findByText(/is a required property/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fetchStub.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('suggests the workspace secret refs in an x-secret-ref field', async () => {
    stub({ [`GET ${WS_PATH}/secret-refs`]: page([{ id: 'r1', workspace_id: WS, name: 'stripe-key', ref: 'vault://stripe-key', created_at: '', updated_at: '' }]) });
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('Stripe (stripe)');

    const input = (await screen.findByLabelText(/API key \(secret ref\)/)) as HTMLInputElement;
    const list = document.getElementById(input.getAttribute('list') ?? '') as HTMLDataListElement;
    await waitFor(() => expect([...list.options].map((o) => o.value)).toEqual(['stripe-key']));
  });

  it('renders an x-secret field as a password input', async () => {
    stub();
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('Vaultish (vaultish)');

    const token = (await screen.findByLabelText(/^Token/)) as HTMLInputElement;
    expect(token.type).toBe('password');
    expect((screen.getByLabelText(/^Host/) as HTMLInputElement).type).toBe('text');
  });

  it('renders the secret_schema as write-only password inputs', async () => {
    stub();
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('Stripe (stripe)');

    const secrets = await screen.findByRole('region', { name: 'Secrets' });
    const input = within(secrets).getByLabelText(/api_key/) as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.value).toBe('');
  });

  it('lets an http connector declare an operation with a payload_schema typed as JSON', async () => {
    stub();
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('HTTP (http)');
    await screen.findByLabelText(/Base URL/);

    const operations = screen.getByRole('group', { name: /^Operations/ });
    fireEvent.click(within(operations).getByRole('button', { name: /add/i }));

    expect(await screen.findByLabelText(/operation_id/)).toBeTruthy();
    const payload = screen.getByLabelText(/payload_schema \(JSON\)/) as HTMLTextAreaElement;
    fireEvent.change(payload, { target: { value: '{"type": "object", "required": ["id"]' } });
    expect(await screen.findByText(/Not valid JSON/)).toBeTruthy();
    fireEvent.change(payload, { target: { value: '{"type": "object", "required": ["id"]}' } });
    await waitFor(() => expect(screen.queryByText(/Not valid JSON/)).toBeNull());
  });

  it('names the auth kinds by their discriminator and shows the chosen kind\'s fields', async () => {
    stub();
    renderAt(`/w/${WS}/connectors/new`);
    await chooseType('HTTP (http)');
    await screen.findByLabelText(/Base URL/);

    const bearer = screen.getByRole('option', { name: 'bearer' }) as HTMLOptionElement;
    const select = bearer.closest('select') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['none', 'bearer']);
    fireEvent.change(select, { target: { value: bearer.value } });

    expect(await screen.findByLabelText(/secret_ref/)).toBeTruthy();
  });
});

describe('saving a connector goes through the reason dialog', () => {
  const created = { id: 'c1', workspace_id: WS, name: 'payments', type: 'stripe', config: { api_key_ref: 'stripe-key', base_url: 'https://api.stripe.com' }, policy: 'default', secret_refs: { '/api_key_ref': 'stripe-key' }, created_at: '2026-11-27T02:00:00.000Z', updated_at: '2026-11-27T02:00:00.000Z' };

  async function fillStripe() {
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'payments' } });
    await chooseType('Stripe (stripe)');
    fireEvent.change(await screen.findByLabelText(/API key \(secret ref\)/), { target: { value: 'stripe-key' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create connector' }));
    return screen.findByRole('dialog');
  }

  it('sends nothing without a reason', async () => {
    const fetchStub = stub({ [`POST ${WS_PATH}/connectors`]: { status: 201, body: created } });
    renderAt(`/w/${WS}/connectors/new`);
    const dialog = await fillStripe();

    fireEvent.click(within(dialog).getByRole('button', { name: 'Create connector' }));

    expect(await within(dialog).findByText('A reason is required')).toBeTruthy();
    expect(fetchStub.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('sends the config with the reason as X-Reason', async () => {
    const fetchStub = stub({ [`POST ${WS_PATH}/connectors`]: { status: 201, body: created }, [`GET ${WS_PATH}/connectors/payments`]: { status: 200, body: created } });
    const { router } = renderAt(`/w/${WS}/connectors/new`);
    const dialog = await fillStripe();

    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'stripe for checkout' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create connector' }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/connectors/payments`));
    const post = fetchStub.calls.find((c) => c.method === 'POST');
    expect(new Headers(post?.init?.headers).get('x-reason')).toBe('stripe for checkout');
    expect(JSON.parse(String(post?.init?.body))).toEqual({ name: 'payments', type: 'stripe', policy: 'default', config: { api_key_ref: 'stripe-key', base_url: 'https://api.stripe.com' } });
  });

  it('writes a typed secret to the vault behind the config ref, creating the vault ref first', async () => {
    const fetchStub = stub({
      [`POST ${WS_PATH}/connectors`]: { status: 201, body: created },
      [`GET ${WS_PATH}/connectors/payments`]: { status: 200, body: created },
      [`POST ${WS_PATH}/secret-refs`]: { status: 201, body: { id: 's1', workspace_id: WS, name: 'stripe-key', ref: 'vault://stripe-key', created_at: '', updated_at: '' } },
      [`PUT ${WS_PATH}/secrets/stripe-key`]: { status: 201, body: { name: 'stripe-key', version: 1, created_at: '' } },
    });
    const { router } = renderAt(`/w/${WS}/connectors/new`);
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'payments' } });
    await chooseType('Stripe (stripe)');
    fireEvent.change(await screen.findByLabelText(/api_key$/), { target: { value: 'sk_test_123' } });
    fireEvent.change(screen.getByLabelText(/API key \(secret ref\)/), { target: { value: 'stripe-key' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create connector' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'stripe for checkout' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create connector' }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/connectors/payments`));
    const writes = fetchStub.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url.replace(WS_PATH, '')}`);
    expect(writes).toEqual(['POST /secret-refs', 'PUT /secrets/stripe-key', 'POST /connectors']);
    const put = fetchStub.calls.find((c) => c.method === 'PUT');
    expect(JSON.parse(String(put?.init?.body))).toEqual({ value: 'sk_test_123' });
    // The value is not kept on screen.
    expect(screen.queryByDisplayValue('sk_test_123')).toBeNull();
  });
});

describe('editing a connector', () => {
  const stored = { id: 'c2', workspace_id: WS, name: 'acme-api', type: 'http', config: { base_url: 'https://api.acme.example', auth: { kind: 'none' }, default_headers: { accept: 'application/json' }, operations: [] }, policy: 'default', secret_refs: {}, created_at: '2026-11-27T02:00:00.000Z', updated_at: '2026-11-27T02:00:00.000Z' };

  it('loads the stored config and sends only the change, as a merge patch, with the new policy', async () => {
    const fetchStub = stub({ [`GET ${WS_PATH}/connectors/acme-api`]: { status: 200, body: stored }, [`PATCH ${WS_PATH}/connectors/acme-api`]: { status: 200, body: stored } });
    renderAt(`/w/${WS}/connectors/acme-api`);

    const baseUrl = (await screen.findByLabelText(/Base URL/)) as HTMLInputElement;
    expect(baseUrl.value).toBe('https://api.acme.example');
    fireEvent.change(baseUrl, { target: { value: 'https://api2.acme.example' } });
    const policy = screen.getByLabelText('Policy');
    await waitFor(() => expect(within(policy).getByRole('option', { name: 'payments-strict' })).toBeTruthy());
    fireEvent.change(policy, { target: { value: 'payments-strict' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save connector' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'new host' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save connector' }));

    expect(await screen.findByText('Connector saved.')).toBeTruthy();
    const patch = fetchStub.calls.find((c) => c.method === 'PATCH');
    expect(JSON.parse(String(patch?.init?.body))).toEqual({ config: { base_url: 'https://api2.acme.example' }, policy: 'payments-strict' });
    expect(new Headers(patch?.init?.headers).get('x-reason')).toBe('new host');
  });

  it('deletes with a reason and goes back to the list', async () => {
    const fetchStub = stub({ [`GET ${WS_PATH}/connectors/acme-api`]: { status: 200, body: stored }, [`DELETE ${WS_PATH}/connectors/acme-api`]: { status: 204 }, [`GET ${WS_PATH}/connectors`]: page([]) });
    const { router } = renderAt(`/w/${WS}/connectors/acme-api`);

    fireEvent.click(await screen.findByRole('button', { name: 'Delete connector' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'retired' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete connector' }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/connectors`));
    expect(new Headers(fetchStub.calls.find((c) => c.method === 'DELETE')?.init?.headers).get('x-reason')).toBe('retired');
  });
});
