import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonFetch, renderWithQueryClient } from '../testing/test-utils';
import { StatusBadge } from './status-badge';

afterEach(cleanup);

async function badge(): Promise<HTMLElement> {
  const element = screen.getByTestId('status-badge');
  await waitFor(() => expect(element.dataset['tone']).not.toBe('pending'));
  return element;
}

describe(StatusBadge.name, () => {
  it('asks the BFF for its upstreams', async () => {
    const stub = jsonFetch(200, { control_api: 'up', exec_api: 'up' });
    vi.stubGlobal('fetch', stub.fetch);
    renderWithQueryClient(<StatusBadge />);

    await badge();

    expect(stub.calls.map((c) => c.url)).toEqual(['/api/bff/upstreams']);
  });

  it('shows all systems reachable when both upstreams are up', async () => {
    vi.stubGlobal('fetch', jsonFetch(200, { control_api: 'up', exec_api: 'up' }).fetch);
    renderWithQueryClient(<StatusBadge />);

    const element = await badge();

    expect(element.dataset['tone']).toBe('ok');
    expect(element.textContent).toContain('All systems reachable');
    expect(element.textContent).toContain('control-api: up');
    expect(element.textContent).toContain('exec-api: up');
  });

  it('names the upstream that is down', async () => {
    vi.stubGlobal('fetch', jsonFetch(200, { control_api: 'up', exec_api: 'down' }).fetch);
    renderWithQueryClient(<StatusBadge />);

    const element = await badge();

    expect(element.dataset['tone']).toBe('degraded');
    expect(element.textContent).toContain('exec-api unreachable');
  });

  it('shows the console server unreachable when the BFF answers an error', async () => {
    const envelope = { error: { code: 'UNAVAILABLE', message: 'down', request_id: 'req-from-server-03' } };
    vi.stubGlobal('fetch', jsonFetch(503, envelope).fetch);
    renderWithQueryClient(<StatusBadge />);

    const element = await badge();

    expect(element.dataset['tone']).toBe('down');
    expect(element.textContent).toContain('Console server unreachable');
  });

  it('shows checking until the BFF answers', () => {
    vi.stubGlobal('fetch', () => new Promise<Response>(() => undefined));
    renderWithQueryClient(<StatusBadge />);

    expect(screen.getByTestId('status-badge').dataset['tone']).toBe('pending');
  });
});
