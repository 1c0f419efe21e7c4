import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, DEFAULT_POLICY_ROW, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function stub(extra: Parameters<typeof routedFetch>[0] = {}) {
  const fetchStub = routedFetch({ ...BASE_ROUTES, [`GET ${WS_PATH}/policies`]: page([DEFAULT_POLICY_ROW]), [`GET ${WS_PATH}/policies/default`]: { status: 200, body: DEFAULT_POLICY_ROW }, ...extra });
  vi.stubGlobal('fetch', fetchStub.fetch);
  return fetchStub;
}

describe('policy form (POLICY_DOCUMENT_SCHEMA)', () => {
  it('starts a new policy from the documented defaults', async () => {
    stub();
    renderAt(`/w/${WS}/policies/new`);

    expect(((await screen.findByLabelText(/Total timeout/)) as HTMLInputElement).value).toBe('15000');
    expect((screen.getByLabelText(/Max attempts/) as HTMLInputElement).value).toBe('3');
    expect((screen.getByLabelText(/Failure rate threshold/) as HTMLInputElement).value).toBe('0.5');
  });

  it('shows the schema messages for out-of-range values and sends nothing', async () => {
    const fetchStub = stub();
    renderAt(`/w/${WS}/policies/default`);

    fireEvent.change(await screen.findByLabelText(/Failure rate threshold/), { target: { value: '1.5' } });
    fireEvent.change(screen.getByLabelText(/Max attempts/), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));

    const group = (label: RegExp) => screen.getByLabelText(label).closest('.form-group') as HTMLElement;
    await waitFor(() => expect(group(/Failure rate threshold/).textContent).toContain('1.5 is greater than 1'));
    expect(group(/Max attempts/).textContent).toContain('0 is less than 1');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fetchStub.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('shows the API field errors on the fields they name', async () => {
    const envelope = { error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', request_id: 'req-policy-1', details: [{ path: '/timeout/connect_ms', message: 'must not exceed total_ms (1000)' }] } };
    stub({ [`PATCH ${WS_PATH}/policies/default`]: { status: 400, body: envelope } });
    renderAt(`/w/${WS}/policies/default`);

    fireEvent.change(await screen.findByLabelText(/Total timeout/), { target: { value: '1000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'tighter' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save policy' }));

    expect(await within(dialog).findByText('req-policy-1')).toBeTruthy();
    const connect = screen.getByLabelText(/Connect timeout/).closest('.form-group') as HTMLElement;
    await waitFor(() => expect(connect.textContent).toContain('must not exceed total_ms (1000)'));
  });

  it('creates a policy with its name and reason', async () => {
    const fetchStub = stub({ [`POST ${WS_PATH}/policies`]: { status: 201, body: { ...DEFAULT_POLICY_ROW, name: 'payments-strict' } }, [`GET ${WS_PATH}/policies/payments-strict`]: { status: 200, body: { ...DEFAULT_POLICY_ROW, name: 'payments-strict' } } });
    const { router } = renderAt(`/w/${WS}/policies/new`);

    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'payments-strict' } });
    fireEvent.change(screen.getByLabelText(/Total timeout/), { target: { value: '8000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create policy' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'payments' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create policy' }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/policies/payments-strict`));
    const body = JSON.parse(String(fetchStub.calls.find((c) => c.method === 'POST')?.init?.body));
    expect(body.name).toBe('payments-strict');
    expect(body.timeout).toEqual({ connect_ms: 2000, read_ms: 10000, total_ms: 8000 });
  });
});
