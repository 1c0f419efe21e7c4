import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch, TEST_SESSION } from '../../testing/test-utils';
import { DlqPage } from './dlq-page';
import { allowSlowRenders, bodyOf, consoleStubs, envelope, headerOf, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const JOB_A = '5b0d1c2e-4b8a-4f0e-9a51-0c6d2e9b7a10';
const JOB_B = '8e31aa2e-4b8a-4f0e-9a51-0c6d2e9b7a11';

function deadJob(id: string) {
  return {
    id,
    workspace_id: WS,
    connector: 'billing',
    operation: 'charge',
    status: 'dead_lettered',
    attempts: 3,
    max_attempts: 3,
    error: { code: 'UPSTREAM_ERROR', message: 'upstream answered 502' },
    output: null,
    config_version: null,
    cancel_requested: false,
    has_callback: false,
    callback_status: null,
    callback_attempts: 0,
    delay_until: null,
    created_at: '2026-11-27T04:00:00.000Z',
    updated_at: '2026-11-27T04:01:00.000Z',
    started_at: '2026-11-27T04:00:01.000Z',
    finished_at: '2026-11-27T04:01:00.000Z',
    dead_lettered_at: '2026-11-27T04:01:00.000Z',
  };
}

const DLQ_PATH = `/api/control/v1/workspaces/${WS}/dlq`;

function dlqStubs(replay: Parameters<typeof routedFetch>[0][string], session: object = TEST_SESSION) {
  return routedFetch({
    ...consoleStubs(session),
    [`GET ${DLQ_PATH}`]: { status: 200, body: { data: [deadJob(JOB_A), deadJob(JOB_B)], next_cursor: null } },
    [`POST ${DLQ_PATH}/replay`]: replay,
  });
}

describe(DlqPage.name, () => {
  it('replays the selected job with the reason and a pinned config version, and shows the result', async () => {
    const stub = dlqStubs((_url, init) => ({ status: 200, body: { replayed: 1, job_ids: [(bodyOf(init) as { job_id: string }).job_id], enqueue_failed: 0 } }));
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/dlq`);

    fireEvent.click(await screen.findByLabelText(`Select job ${JOB_A}`));
    fireEvent.click(screen.getByRole('button', { name: 'Replay selected (1)' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replay' }));
    expect(within(dialog).getByText('A reason is required')).toBeTruthy();
    expect(stub.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.change(within(dialog).getByLabelText('Pin to config version (optional)'), { target: { value: 'v2' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'upstream fixed, INC-42' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replay' }));

    const result = await screen.findByRole('status', { name: 'Result' });
    expect(result.textContent).toContain('Replayed 1 job.');
    expect(result.textContent).toContain(JOB_A);
    const replay = stub.calls.find((c) => c.method === 'POST');
    expect(replay?.url).toBe(`${DLQ_PATH}/replay`);
    expect(bodyOf(replay?.init)).toEqual({ job_id: JOB_A, config_version: 'v2' });
    expect(headerOf(replay?.init, 'x-reason')).toBe('upstream fixed, INC-42');
    expect(headerOf(replay?.init, 'x-csrf-token')).toBe('csrf-test');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('replays all jobs matching the filters with one filtered call', async () => {
    const stub = dlqStubs({ status: 200, body: { replayed: 2, job_ids: [JOB_A, JOB_B], enqueue_failed: 1 } });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/dlq`);

    fireEvent.change(await screen.findByLabelText('Connector'), { target: { value: 'billing' } });
    fireEvent.change(screen.getByLabelText('Error code'), { target: { value: 'UPSTREAM_ERROR' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(stub.calls.some((c) => c.url.startsWith(`${DLQ_PATH}?connector=billing&error_code=UPSTREAM_ERROR`))).toBe(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Replay all matching' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('At most (jobs)'), { target: { value: '50' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'bulk replay after fix' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replay' }));

    const result = await screen.findByRole('status', { name: 'Result' });
    expect(result.textContent).toContain('Replayed 2 jobs.');
    expect(result.textContent).toContain('1 could not be put on the queue yet');
    const replay = stub.calls.find((c) => c.method === 'POST');
    expect(bodyOf(replay?.init)).toEqual({ filter: { connector: 'billing', error_code: 'UPSTREAM_ERROR' }, limit: 50 });
  });

  it('keeps the dialog open with the envelope when the replay is refused', async () => {
    vi.stubGlobal('fetch', dlqStubs(envelope(409, 'CONFLICT', 'The job is not dead-lettered', 'req-409', [{ path: '/job_id', message: 'status is running' }])).fetch);
    renderAt(`/w/${WS}/dlq`);

    fireEvent.click(await screen.findByLabelText(`Select job ${JOB_B}`));
    fireEvent.click(screen.getByRole('button', { name: 'Replay selected (1)' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'retry' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Replay' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The job is not dead-lettered');
    expect(alert.textContent).toContain('req-409');
  });

  it('purges every matching job after a reason, as a danger action', async () => {
    const stub = routedFetch({
      ...consoleStubs(),
      [`GET ${DLQ_PATH}`]: { status: 200, body: { data: [deadJob(JOB_A)], next_cursor: null } },
      [`DELETE ${DLQ_PATH}`]: { status: 200, body: { purged: 1, job_ids: [JOB_A] } },
    });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/dlq`);

    await screen.findByLabelText(`Select job ${JOB_A}`);
    fireEvent.click(screen.getByRole('button', { name: 'Purge all matching' }));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Purge' });
    expect(confirm.className).toContain('button--danger');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'obsolete test traffic' } });
    fireEvent.click(confirm);

    expect((await screen.findByRole('status', { name: 'Result' })).textContent).toContain('Purged 1 job.');
    const purge = stub.calls.find((c) => c.method === 'DELETE');
    expect(bodyOf(purge?.init)).toEqual({ filter: {}, limit: 100 });
    expect(headerOf(purge?.init, 'x-reason')).toBe('obsolete test traffic');
  });

  it('hides replay and purge from a ReadOnlyAuditor', async () => {
    vi.stubGlobal('fetch', dlqStubs({ status: 500 }, { ...TEST_SESSION, operator: { ...TEST_SESSION.operator, roles: ['ReadOnlyAuditor'] } }).fetch);
    renderAt(`/w/${WS}/dlq`);

    await screen.findByLabelText(`Select job ${JOB_A}`);
    expect(screen.queryByRole('button', { name: /Replay/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Purge/ })).toBeNull();
  });
});
