import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setEventSourceFactory } from '../../hooks/use-event-stream';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { EventsPage } from './events-page';
import { allowSlowRenders, consoleStubs, execEvent, FakeEventSource, IMPERSONATING_SESSION, WS } from './test-fixtures';

allowSlowRenders();

let restore: () => void = () => undefined;

beforeEach(() => {
  FakeEventSource.instances = [];
  restore = setEventSourceFactory((url) => new FakeEventSource(url));
});

afterEach(() => {
  cleanup();
  restore();
});

function lines(): string[] {
  return [...screen.getByRole('log', { name: 'Event stream' }).querySelectorAll('[data-event-type]')].map((line) => line.getAttribute('data-event-type') ?? '');
}

async function openStream(): Promise<FakeEventSource> {
  vi.stubGlobal('fetch', routedFetch(consoleStubs(IMPERSONATING_SESSION)).fetch);
  renderAt(`/w/${WS}/events`);
  await screen.findByRole('log', { name: 'Event stream' });
  const source = FakeEventSource.latest();
  source.open();
  return source;
}

describe(EventsPage.name, () => {
  it('opens the exec-api stream through the BFF and appends one line per event', async () => {
    const source = await openStream();

    expect(source.url).toBe('/api/exec/v1/events/stream');
    expect(screen.getByTestId('stream-status').textContent).toBe('live');
    source.emit(execEvent(1, 'job.queued'));
    source.emit(execEvent(2, 'run.failed', { data: { error: 'upstream answered 503' } }));

    expect(lines()).toEqual(['job.queued', 'run.failed']);
    expect(screen.getByRole('log', { name: 'Event stream' }).textContent).toContain('upstream answered 503');
    expect(screen.getByRole('log', { name: 'Event stream' }).textContent).toContain('job 7d1f3c2e');
  });

  it('buffers while paused, shows the count, and flushes on resume', async () => {
    const source = await openStream();
    source.emit(execEvent(1, 'job.queued'));

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    source.emit(execEvent(2, 'job.started'));
    source.emit(execEvent(3, 'job.succeeded'));

    expect(lines()).toEqual(['job.queued']);
    expect(screen.getByText('Paused · 2 new events buffered')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(lines()).toEqual(['job.queued', 'job.started', 'job.succeeded']);
    expect(screen.queryByText(/buffered/)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(lines()).toEqual([]);
  });

  it('reconnects with the type and job filters, and refuses an unknown type without connecting', async () => {
    const first = await openStream();

    fireEvent.change(screen.getByLabelText('Event types'), { target: { value: 'nope.*' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Unknown event type "nope.*"');
    expect(FakeEventSource.instances).toHaveLength(1);

    fireEvent.change(screen.getByLabelText('Event types'), { target: { value: 'job.*, run.failed' } });
    fireEvent.change(screen.getByLabelText('Job id'), { target: { value: '7d1f3c2e-4b8a-4f0e-9a51-0c6d2e9b7a10' } });
    fireEvent.click(screen.getByLabelText('Include past events'));
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2));
    expect(first.closed).toBe(true);
    const url = new URL(FakeEventSource.latest().url, 'http://console.test');
    expect(url.pathname).toBe('/api/exec/v1/events/stream');
    expect(url.searchParams.get('type')).toBe('job.*,run.failed');
    expect(url.searchParams.get('job_id')).toBe('7d1f3c2e-4b8a-4f0e-9a51-0c6d2e9b7a10');
    expect(url.searchParams.get('after')).toBe('0');
  });

  it('shows reconnecting while the browser retries, and offers Reconnect once it gave up', async () => {
    const source = await openStream();

    source.fail(false);
    expect(screen.getByTestId('stream-status').textContent).toBe('reconnecting');
    source.fail(true);
    expect(screen.getByTestId('stream-status').textContent).toBe('disconnected');
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));

    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2));
    expect(screen.getByTestId('stream-status').textContent).toBe('connecting');
  });

  it('keeps only the last 500 lines', async () => {
    const source = await openStream();
    source.emit(...Array.from({ length: 505 }, (_, index) => execEvent(index + 1, 'job.queued')));

    const log = screen.getByRole('log', { name: 'Event stream' });
    expect(log.querySelectorAll('[data-event-type]')).toHaveLength(500);
    expect(log.textContent).toContain('{"n":505}');
    expect(log.textContent).not.toContain('{"n":5}');
  });
});
