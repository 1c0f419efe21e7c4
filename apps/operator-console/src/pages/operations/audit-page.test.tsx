import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { AuditPage } from './audit-page';
import { allowSlowRenders, consoleStubs, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const ROW = {
  id: '4',
  workspace_id: WS,
  actor_type: 'operator',
  actor_id: '478d9221-8141-49aa-a7f6-221a41416fd6',
  impersonator_id: null,
  action: 'policy.update',
  target_type: 'policy',
  target_id: 'default',
  reason: 'tighter timeouts',
  before: { timeout: { total_ms: 15000 } },
  after: { timeout: { total_ms: 5000 } },
  request_id: '1072ba6f-6b01-46b0-b3e3-7081844609a4',
  ip: '127.0.0.1',
  created_at: '2026-11-27T02:12:01.721Z',
  hash: 'c1e8443e0e1ed5b30061d1e4df8656e5bc20824265f36476f65c528a292046bd',
  prev_hash: '1d56136da9a2aa8384e349659138536614b1449eac2b38593a912fc6222dbdfc',
};

function auditStubs(verify: { ok: boolean; checked: number; first_broken_id: string | null }) {
  return routedFetch({
    ...consoleStubs(),
    'GET /api/control/v1/audit': { status: 200, body: { data: [ROW], next_cursor: 'WyI0Il0' } },
    'GET /api/control/v1/audit/verify': { status: 200, body: verify },
  });
}

describe(AuditPage.name, () => {
  it('verifies the chain on demand and says "verify: ok"', async () => {
    const stub = auditStubs({ ok: true, checked: 4, first_broken_id: null });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt('/audit');

    await screen.findByText('tighter timeouts');
    expect(stub.calls.some((c) => c.url === '/api/control/v1/audit/verify')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));

    expect(await screen.findByText('verify: ok')).toBeTruthy();
    expect(screen.getByText('(4 rows checked)')).toBeTruthy();
  });

  it('names the first broken row', async () => {
    vi.stubGlobal('fetch', auditStubs({ ok: false, checked: 2, first_broken_id: '3' }).fetch);
    renderAt('/audit');

    fireEvent.click(await screen.findByRole('button', { name: 'Verify chain' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('verify: broken at row 3');
    expect(screen.queryByText('verify: ok')).toBeNull();
  });

  it("shows a row's before/after diff, reason and request id, and pages with the cursor", async () => {
    const stub = auditStubs({ ok: true, checked: 4, first_broken_id: null });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt('/audit');

    fireEvent.click(await screen.findByRole('button', { name: 'Show audit row 4' }));

    const detail = screen.getByRole('region', { name: 'Audit row 4' });
    expect(within(detail).getByText(ROW.request_id)).toBeTruthy();
    expect(within(detail).getByText('tighter timeouts')).toBeTruthy();
    const diff = within(detail).getByLabelText('Before and after');
    const linesOf = (kind: string) => [...diff.querySelectorAll(`[data-diff="${kind}"]`)].map((line) => line.textContent?.replace(/\s+/g, ' ').trim());
    expect(linesOf('removed')).toEqual(['- "total_ms": 15000']);
    expect(linesOf('added')).toEqual(['+ "total_ms": 5000']);

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(stub.calls.some((c) => c.url === '/api/control/v1/audit?cursor=WyI0Il0&limit=50')).toBe(true));
  });

  it('filters by action and workspace', async () => {
    const stub = auditStubs({ ok: true, checked: 4, first_broken_id: null });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt('/audit');

    await screen.findByText('tighter timeouts');
    await waitFor(() => expect(screen.getAllByRole('option', { name: 'acme-dev' }).length).toBeGreaterThan(0));
    fireEvent.change(screen.getByLabelText('Workspace', { selector: 'form select' }), { target: { value: WS } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'policy.update' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(stub.calls.some((c) => c.url === `/api/control/v1/audit?workspace_id=${WS}&action=policy.update&limit=50`)).toBe(true));
  });
});
