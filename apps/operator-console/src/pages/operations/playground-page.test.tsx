import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { PlaygroundPage } from './playground-page';
import { allowSlowRenders, bodyOf, consoleStubs, envelope, IMPERSONATING_SESSION, WS } from './test-fixtures';

allowSlowRenders();
afterEach(cleanup);

const EXECUTION_ID = '1c0a8a55-8f0e-4a57-9a53-2b1f5d7e2f61';

const CONNECTORS = {
  status: 200,
  body: {
    data: [
      {
        name: 'billing',
        type: 'http',
        config: {
          base_url: 'http://127.0.0.1:9999',
          operations: [
            { operation_id: 'get_thing', title: 'Get a thing', method: 'GET', path: '/things/{id}', payload_schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', title: 'Thing id' } } } },
            { operation_id: 'ping', method: 'GET', path: '/ping' },
          ],
        },
      },
    ],
    next_cursor: null,
  },
};
const TYPES = { status: 200, body: { data: [{ type: 'http', title: 'HTTP', operations: [], operations_from_config: true }] } };

function playgroundStubs(execute: Parameters<typeof routedFetch>[0][string]) {
  return routedFetch({
    ...consoleStubs(IMPERSONATING_SESSION),
    [`GET /api/control/v1/workspaces/${WS}/connectors`]: CONNECTORS,
    [`GET /api/control/v1/workspaces/${WS}/connector-types`]: TYPES,
    'POST /api/exec/v1/execute': execute,
    'GET /api/exec/v1/events': (url) =>
      url.searchParams.get('execution_id') === EXECUTION_ID
        ? { status: 200, body: { data: [{ id: '1043', type: 'execution.succeeded', job_id: null, execution_id: EXECUTION_ID, data: { upstream_status: 200 }, created_at: '2026-11-27T04:31:02.114Z' }], next_after: null } }
        : { status: 200, body: { data: [], next_after: null } },
  });
}

async function chooseConnector() {
  fireEvent.change(await screen.findByLabelText('Connector'), { target: { value: 'billing' } });
}

describe(PlaygroundPage.name, () => {
  it('asks to act as the workspace when it is not impersonated, and starts the impersonation with a reason', async () => {
    const stub = routedFetch({ ...consoleStubs(), 'POST /api/impersonation': { status: 201, body: { id: 'i-1', workspace_id: WS, expires_at: '2099-01-01T00:00:00.000Z' } } });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/playground`);

    expect(await screen.findByRole('heading', { name: 'Act as this workspace' })).toBeTruthy();
    expect(screen.queryByLabelText('Connector')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Act as this workspace' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Duration/), { target: { value: '5' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'ticket 7: try the billing API' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start impersonating' }));

    await waitFor(() => expect(stub.calls.some((c) => c.method === 'POST' && c.url === '/api/impersonation')).toBe(true));
    const start = stub.calls.find((c) => c.method === 'POST' && c.url === '/api/impersonation');
    expect(bodyOf(start?.init)).toEqual({ workspace_id: WS, ttl_seconds: 300, reason: 'ticket 7: try the billing API' });
    expect(stub.calls.some((c) => c.url.startsWith('/api/exec/'))).toBe(false);
  });

  it('renders the payload form from payload_schema, posts the run and shows output, attempts, upstream status and events', async () => {
    const stub = playgroundStubs({ status: 200, body: { execution_id: EXECUTION_ID, status: 'succeeded', output: { id: '42', name: 'widget' }, attempts: 2, upstream: { status: 200, duration_ms: 12 } } });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/playground`);

    await chooseConnector();
    expect((screen.getByLabelText('Operation') as HTMLSelectElement).value).toBe('get_thing');
    fireEvent.change(await screen.findByLabelText(/Thing id/), { target: { value: '42' } });
    fireEvent.change(screen.getByLabelText('Idempotency-Key (optional)'), { target: { value: 'order-1042' } });
    fireEvent.change(screen.getByLabelText('Timeout (ms, optional)'), { target: { value: '2500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    const result = await screen.findByRole('region', { name: 'Result' });
    await waitFor(() => expect(within(result).getByLabelText('Output').textContent).toContain('widget'));
    const run = stub.calls.find((c) => c.method === 'POST' && c.url === '/api/exec/v1/execute');
    expect(bodyOf(run?.init)).toEqual({ connector: 'billing', operation: 'get_thing', payload: { id: '42' }, timeout_ms: 2500 });
    expect((run?.init?.headers as Record<string, string>)['Idempotency-Key']).toBe('order-1042');
    const facts = within(result).getAllByRole('definition').map((dd) => dd.textContent);
    expect(facts).toEqual(['succeeded', '2', '200', '12 ms', EXECUTION_ID]);
    const events = await within(result).findByRole('log', { name: 'Events of this execution' });
    await waitFor(() => expect(events.textContent).toContain('execution.succeeded'));
    expect(stub.calls.some((c) => c.url === `/api/exec/v1/events?execution_id=${EXECUTION_ID}&limit=500`)).toBe(true);
  });

  it('falls back to a JSON editor for an operation without payload fields', async () => {
    const stub = playgroundStubs({ status: 200, body: { execution_id: EXECUTION_ID, status: 'succeeded', output: {}, attempts: 1, upstream: { status: 204, duration_ms: 3 } } });
    vi.stubGlobal('fetch', stub.fetch);
    renderAt(`/w/${WS}/playground`);

    await chooseConnector();
    fireEvent.change(screen.getByLabelText('Operation'), { target: { value: 'ping' } });
    fireEvent.change(await screen.findByLabelText('Payload (JSON)'), { target: { value: '{"probe": true}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    await screen.findByRole('region', { name: 'Result' });
    expect(bodyOf(stub.calls.find((c) => c.method === 'POST')?.init)).toEqual({ connector: 'billing', operation: 'ping', payload: { probe: true } });
  });

  it("shows an error envelope's code, message and request id", async () => {
    vi.stubGlobal('fetch', playgroundStubs(envelope(502, 'UPSTREAM_ERROR', 'upstream answered 502', 'req-502', { upstream_status: 502, upstream_body: 'bad gateway', attempts: 3, execution_id: EXECUTION_ID })).fetch);
    renderAt(`/w/${WS}/playground`);

    await chooseConnector();
    fireEvent.change(await screen.findByLabelText(/Thing id/), { target: { value: '42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('upstream answered 502');
    expect(alert.textContent).toContain('UPSTREAM_ERROR');
    expect(alert.textContent).toContain('req-502');
    const result = screen.getByRole('region', { name: 'Result' });
    expect(within(result).getAllByRole('definition').map((dd) => dd.textContent)).toEqual(['3', '502', EXECUTION_ID]);
  });
});
