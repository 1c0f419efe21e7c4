import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { JobDetailPage } from './job-detail-page';
import { JobsPage } from './jobs-page';
import { allowSlowRenders, bodyOf, consoleStubs, headerOf, IMPERSONATING_SESSION, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const JOB_ID = '7d1f3c2e-4b8a-4f0e-9a51-0c6d2e9b7a10';
const JOB = {
  id: JOB_ID,
  workspace_id: WS,
  connector: 'billing',
  operation: 'charge',
  status: 'queued',
  attempts: 2,
  max_attempts: 6,
  error: null,
  output: null,
  config_version: 'v3',
  cancel_requested: false,
  has_callback: true,
  callback_status: 'pending',
  callback_attempts: 1,
  delay_until: null,
  created_at: '2026-11-27T04:30:02.412Z',
  updated_at: '2026-11-27T04:31:05.120Z',
  started_at: '2026-11-27T04:31:02.500Z',
  finished_at: null,
  runs: [
    { id: 'r1', attempt: 1, status: 'failed', started_at: '2026-11-27T04:31:02.500Z', finished_at: '2026-11-27T04:31:02.550Z', duration_ms: 50, upstream_status: 503, error: { code: 'UPSTREAM_ERROR', message: 'upstream answered 503' } },
    { id: 'r2', attempt: 2, status: 'failed', started_at: '2026-11-27T04:31:04.500Z', finished_at: '2026-11-27T04:31:04.600Z', duration_ms: 100, upstream_status: 504, error: { code: 'UPSTREAM_TIMEOUT', message: 'read timeout' } },
  ],
};
const JOB_PATH = `/api/control/v1/workspaces/${WS}/jobs/${JOB_ID}`;

describe(JobDetailPage.name, () => {
  it('shows the runs timeline and callback state', async () => {
    vi.stubGlobal('fetch', routedFetch({ ...consoleStubs(IMPERSONATING_SESSION), [`GET ${JOB_PATH}`]: { status: 200, body: JOB } }).fetch);
    renderAt(`/w/${WS}/jobs/${JOB_ID}`);

    const timeline = await screen.findByRole('list', { name: 'Runs timeline' });
    const runs = within(timeline).getAllByRole('listitem').map((item) => item.textContent ?? '');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toContain('Attempt 1');
    expect(runs[0]).toContain('upstream 503');
    expect(runs[0]).toContain('50 ms');
    expect(runs[1]).toContain('UPSTREAM_TIMEOUT');
    expect(screen.getByRole('region', { name: 'Summary' }).textContent).toContain('pending · 1 attempt');
  });

  it('cancels a queued job through exec-api after a reason, without sending the reason upstream', async () => {
    const stub = routedFetch({
      ...consoleStubs(IMPERSONATING_SESSION),
      [`GET ${JOB_PATH}`]: { status: 200, body: JOB },
      [`POST /api/exec/v1/jobs/${JOB_ID}/cancel`]: { status: 200, body: { ...JOB, status: 'cancelled', runs: [] } },
    });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/jobs/${JOB_ID}`);

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'customer asked' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel job' }));

    expect(await screen.findByText('Job cancelled.')).toBeTruthy();
    const cancel = stub.calls.find((c) => c.method === 'POST');
    expect(cancel?.url).toBe(`/api/exec/v1/jobs/${JOB_ID}/cancel`);
    expect(bodyOf(cancel?.init)).toBeUndefined();
    expect(headerOf(cancel?.init, 'x-reason')).toBeUndefined();
  });

  it('asks to act as the workspace before cancelling when it is not impersonated', async () => {
    vi.stubGlobal('fetch', routedFetch({ ...consoleStubs(), [`GET ${JOB_PATH}`]: { status: 200, body: JOB } }).fetch);
    renderAt(`/w/${WS}/jobs/${JOB_ID}`);

    expect(await screen.findByRole('heading', { name: 'Act as this workspace' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).toBeNull();
  });
});

describe(JobsPage.name, () => {
  it('lists jobs with their filters and opens one', async () => {
    const stub = routedFetch({
      ...consoleStubs(),
      [`GET /api/control/v1/workspaces/${WS}/jobs`]: { status: 200, body: { data: [JOB], next_cursor: null } },
      [`GET ${JOB_PATH}`]: { status: 200, body: JOB },
    });
    vi.stubGlobal('fetch', stub.fetch);
    const { router } = renderAt(`/w/${WS}/jobs`);

    fireEvent.change(await screen.findByLabelText('Status'), { target: { value: 'queued' } });
    fireEvent.change(screen.getByLabelText('Connector'), { target: { value: 'billing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(stub.calls.some((c) => c.url === `/api/control/v1/workspaces/${WS}/jobs?status=queued&connector=billing&limit=50`)).toBe(true));

    fireEvent.click(await screen.findByRole('link', { name: JOB_ID.slice(0, 8) }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/w/${WS}/jobs/${JOB_ID}`));
  });
});
