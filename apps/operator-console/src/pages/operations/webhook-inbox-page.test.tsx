import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { WebhookInboxDetailPage } from './webhook-inbox-detail-page';
import { WebhookInboxPage } from './webhook-inbox-page';
import { allowSlowRenders, bodyOf, consoleStubs, headerOf, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const INBOX = `/api/control/v1/workspaces/${WS}/webhook-inbox`;
const FAILED_ID = '0c8e1c2e-4b8a-4f0e-9a51-0c6d2e9b7a10';

const failed = {
  id: FAILED_ID,
  route_id: '5e2a1c2e-4b8a-4f0e-9a51-0c6d2e9b7a10',
  provider: 'stripe',
  event_id: 'evt_1Q2w3E',
  event_type: 'invoice.paid',
  status: 'failed',
  attempts: 8,
  last_error: 'WEBHOOK_FORWARD_REJECTED: the forward URL answered 502',
  received_at: '2026-11-27T04:00:00.000Z',
  processed_at: null,
  updated_at: '2026-11-27T04:05:00.000Z',
};
const processed = { ...failed, id: '91f31c2e-4b8a-4f0e-9a51-0c6d2e9b7a10', event_id: 'evt_ok', status: 'processed', attempts: 1, last_error: null };

function inboxStubs() {
  return routedFetch({
    ...consoleStubs(),
    [`GET ${INBOX}`]: { status: 200, body: { data: [failed, processed], next_cursor: null } },
    [`GET ${INBOX}/${FAILED_ID}`]: { status: 200, body: { ...failed, headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0' }, payload: { id: 'evt_1Q2w3E', type: 'invoice.paid' } } },
    [`POST ${INBOX}/${FAILED_ID}/retry`]: { status: 202, body: { ...failed, status: 'received', attempts: 0, last_error: null } },
    [`POST ${INBOX}/retry`]: { status: 202, body: { retried: 3, ids: [FAILED_ID], enqueue_failed: 0 } },
  });
}

describe(WebhookInboxPage.name, () => {
  it('retries a failed row with the reason; processed rows offer no row retry', async () => {
    const stub = inboxStubs();
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/webhook-inbox`);

    fireEvent.click(await screen.findByRole('button', { name: 'Retry evt_1Q2w3E' }));
    expect(screen.queryByRole('button', { name: 'Retry evt_ok' })).toBeNull();
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'forward target is back' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));

    expect((await screen.findByText('Webhook evt_1Q2w3E is queued for another attempt.')).getAttribute('role')).toBe('status');
    const retry = stub.calls.find((c) => c.method === 'POST');
    expect(retry?.url).toBe(`${INBOX}/${FAILED_ID}/retry`);
    expect(headerOf(retry?.init, 'x-reason')).toBe('forward target is back');
    expect(bodyOf(retry?.init)).toEqual({});
  });

  it('retries every failed row matching the filters in one call', async () => {
    const stub = inboxStubs();
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/webhook-inbox`);

    fireEvent.change(await screen.findByLabelText('Provider'), { target: { value: 'stripe' } });
    fireEvent.change(screen.getByLabelText('Event type'), { target: { value: 'invoice.paid' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(stub.calls.some((c) => c.url.startsWith(`${INBOX}?provider=stripe&type=invoice.paid`))).toBe(true));
    fireEvent.click(screen.getByRole('button', { name: 'Retry failed matching' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'provider outage over' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByText('Retried 3 webhooks.')).toBeTruthy();
    const retry = stub.calls.find((c) => c.method === 'POST');
    expect(retry?.url).toBe(`${INBOX}/retry`);
    expect(bodyOf(retry?.init)).toEqual({ filter: { provider: 'stripe', status: 'failed', type: 'invoice.paid' }, limit: 100 });
    expect(headerOf(retry?.init, 'x-reason')).toBe('provider outage over');
  });
});

describe(WebhookInboxDetailPage.name, () => {
  it('shows headers, payload, attempts and last error, and retries with a reason', async () => {
    const stub = inboxStubs();
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/webhook-inbox/${FAILED_ID}`);

    expect((await screen.findByLabelText('Headers', { selector: 'pre' })).textContent).toContain('Stripe/1.0');
    expect(screen.getByLabelText('Payload', { selector: 'pre' }).textContent).toContain('invoice.paid');
    expect(screen.getByText('WEBHOOK_FORWARD_REJECTED: the forward URL answered 502')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'one more time' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByText('Queued for another attempt.')).toBeTruthy();
    expect(headerOf(stub.calls.find((c) => c.method === 'POST')?.init, 'x-reason')).toBe('one more time');
  });
});
