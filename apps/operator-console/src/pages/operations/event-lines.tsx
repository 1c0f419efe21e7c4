import { forwardRef, memo } from 'react';
import type { ExecEvent } from '../../api/events';
import { formatClock, shortId } from './format';

/** `{"status":502,…}` cut to one short line. */
export function shortData(data: Record<string, unknown>, max = 140): string {
  if (!data || Object.keys(data).length === 0) return '';
  const text = JSON.stringify(data);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Events as terminal lines: time, type, job/execution id, short data. */
export const EventLines = forwardRef<HTMLDivElement, { events: ExecEvent[]; label: string; live?: boolean }>(function EventLines({ events, label, live }, ref) {
  return (
    <div ref={ref} className="terminal" role="log" aria-label={label} aria-live={live ? 'polite' : 'off'} tabIndex={0}>
      {events.length === 0 && <div className="terminal__line terminal__line--muted">{live ? 'Waiting for events…' : 'No events.'}</div>}
      {events.map((event) => (
        <EventLine key={keyOf(event)} event={event} />
      ))}
    </div>
  );
});

/** Lines are immutable: keyed by the event object so appending re-renders only the new ones. */
const keys = new WeakMap<ExecEvent, string>();
let nextKey = 0;
function keyOf(event: ExecEvent): string {
  let key = keys.get(event);
  if (!key) {
    key = `${event.id}:${nextKey++}`;
    keys.set(event, key);
  }
  return key;
}

const EventLine = memo(function EventLine({ event }: { event: ExecEvent }) {
  return (
    <div className="terminal__line" data-event-type={event.type}>
      <span className="terminal__time">{formatClock(event.created_at)}</span> <span className="terminal__type">{event.type}</span>{' '}
      <span className="terminal__ids">{event.job_id ? `job ${shortId(event.job_id)}` : event.execution_id ? `exec ${shortId(event.execution_id)}` : '—'}</span>{' '}
      <span className="terminal__data">{shortData(event.data)}</span>
    </div>
  );
});
