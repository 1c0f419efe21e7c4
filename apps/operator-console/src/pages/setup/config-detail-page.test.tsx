import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const version = (v: string, data: unknown, created: string) => ({ name: 'pricing', version: v, checksum: `${v}0123456789abcdef`, data, created_at: created, created_by: 'e6e28a4d-1cf4-4aeb-866b-2bbd4133febb' });
const V3 = version('v3', { currency: 'EUR', vat: 0.21, promo: true }, '2026-11-27T03:00:00.000Z');
const V2 = version('v2', { currency: 'EUR', vat: 0.21 }, '2026-11-27T02:30:00.000Z');
const V1 = version('v1', { currency: 'EUR', vat: 0.2 }, '2026-11-27T02:00:00.000Z');
const SUMMARY = { name: 'pricing', active_version: 'v2', previous_version: 'v1', version_count: 3, latest_created_at: V3.created_at };

function stub(extra: Parameters<typeof routedFetch>[0] = {}) {
  const fetchStub = routedFetch({
    ...BASE_ROUTES,
    [`GET ${WS_PATH}/configs`]: page([SUMMARY]),
    [`GET ${WS_PATH}/configs/pricing/versions`]: page([V3, V2, V1]),
    ...extra,
  });
  vi.stubGlobal('fetch', fetchStub.fetch);
  return fetchStub;
}

describe('config versions', () => {
  it('marks the active version and shows a version', async () => {
    stub();
    renderAt(`/w/${WS}/configs/pricing`);

    const table = await screen.findByRole('table', { name: 'Versions' });
    const activeRow = within(table).getByText('active').closest('tr') as HTMLElement;
    expect(activeRow.textContent).toContain('v2');
    fireEvent.click(within(table).getByRole('button', { name: 'View v3' }));
    expect(screen.getByLabelText('Data of version v3').textContent).toContain('"promo": true');
  });

  it('compares two versions, older as before, whichever is ticked first', async () => {
    stub();
    renderAt(`/w/${WS}/configs/pricing`);

    fireEvent.click(await screen.findByRole('checkbox', { name: 'Compare v3' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Compare v1' }));

    const diff = await screen.findByLabelText('Changes from v1 to v3');
    const removed = [...diff.querySelectorAll('[data-diff="removed"]')].map((line) => line.textContent?.replace(/\s+/g, ' ').trim());
    const added = [...diff.querySelectorAll('[data-diff="added"]')].map((line) => line.textContent?.replace(/\s+/g, ' ').trim());
    expect(removed).toEqual(['- "vat": 0.2']);
    expect(added).toEqual(['+ "promo": true,', '+ "vat": 0.21']);
  });

  it('activates a version and rolls back, each with a reason', async () => {
    const activation = { name: 'pricing', active: V3, previous_version: 'v2' };
    const fetchStub = stub({
      [`POST ${WS_PATH}/configs/pricing/activate`]: { status: 200, body: activation },
      [`POST ${WS_PATH}/configs/pricing/rollback`]: { status: 200, body: { name: 'pricing', active: V1, previous_version: null } },
    });
    renderAt(`/w/${WS}/configs/pricing`);

    fireEvent.click(await screen.findByRole('button', { name: 'Activate v3' }));
    let dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'promo week' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Activate' }));
    expect(await screen.findByText('Version v3 is active.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'vat bug' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await screen.findByText('Rolled back: version v1 is active.')).toBeTruthy();

    const posts = fetchStub.calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => [c.url.replace(WS_PATH, ''), new Headers(c.init?.headers).get('x-reason'), c.init?.body])).toEqual([
      ['/configs/pricing/activate', 'promo week', JSON.stringify({ version: 'v3' })],
      ['/configs/pricing/rollback', 'vat bug', undefined],
    ]);
  });

  it('creates a version from JSON, refusing text that does not parse', async () => {
    const fetchStub = stub({ [`POST ${WS_PATH}/configs`]: { status: 201, body: version('v4', { currency: 'USD' }, '2026-11-27T04:00:00.000Z') } });
    renderAt(`/w/${WS}/configs/pricing`);

    fireEvent.click(await screen.findByRole('button', { name: 'Create version' }));
    const dialog = await screen.findByRole('dialog');
    const data = within(dialog).getByLabelText('Data (JSON object)') as HTMLTextAreaElement;
    await waitFor(() => expect(data.value).toContain('"promo": true'));
    fireEvent.change(data, { target: { value: '{"currency": ' } });
    expect(await within(dialog).findByText(/Not valid JSON/)).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'usd' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create version' }));
    expect(await within(dialog).findByText(/Data: Not valid JSON/)).toBeTruthy();
    expect(fetchStub.calls.filter((c) => c.method === 'POST')).toEqual([]);

    fireEvent.change(data, { target: { value: '{"currency": "USD"}' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create version' }));
    expect(await screen.findByText('Version created.')).toBeTruthy();
    expect(JSON.parse(String(fetchStub.calls.find((c) => c.method === 'POST')?.init?.body))).toEqual({ name: 'pricing', data: { currency: 'USD' }, activate: false });
  });
});
