import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { EVENT_TYPE_FAMILIES, type EventFilters, eventStreamUrl, invalidEventType } from '../../api/events';
import { Page } from '../../components/page';
import { type StreamStatus, useEventStream } from '../../hooks/use-event-stream';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { EventLines } from './event-lines';
import { ImpersonationGate } from './impersonation-gate';

/** Lines kept on screen; older ones drop off the top. */
export const EVENT_BUFFER_LINES = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The workspace's events as they happen (exec-api's SSE stream through the BFF). */
export function EventsPage() {
  const workspaceId = useWorkspaceId();
  return (
    <Page title="Live events" subtitle="Job, run, callback, execution, breaker and webhook events of this workspace as they are written: new events only, unless you include past ones.">
      <ImpersonationGate workspaceId={workspaceId} purpose="watch the live events">
        <LiveEvents />
      </ImpersonationGate>
    </Page>
  );
}

const STATUS_VIEW: Record<StreamStatus, { label: string; className: string }> = {
  connecting: { label: 'connecting', className: 'badge' },
  live: { label: 'live', className: 'badge badge--ok' },
  reconnecting: { label: 'reconnecting', className: 'badge badge--warn' },
  closed: { label: 'disconnected', className: 'badge badge--down' },
};

function LiveEvents() {
  const typeId = useId();
  const jobId = useId();
  const listId = useId();
  const pastId = useId();
  const [draft, setDraft] = useState({ type: '', job_id: '', past: false });
  const [filters, setFilters] = useState<EventFilters & { after?: string }>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const stream = useEventStream(eventStreamUrl(filters), { max: EVENT_BUFFER_LINES });
  const terminal = useRef<HTMLDivElement>(null);

  // Follow the newest line unless the operator scrolled up to read.
  useEffect(() => {
    const element = terminal.current;
    if (!element) return;
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    if (nearBottom || stream.lines.length <= 1) element.scrollTop = element.scrollHeight;
  }, [stream.lines]);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const badType = invalidEventType(draft.type);
    if (badType) return setFormError(`Unknown event type "${badType}": use exact types or family wildcards such as job.*`);
    if (draft.job_id.trim() && !UUID.test(draft.job_id.trim())) return setFormError('The job id must be a UUID');
    setFormError(undefined);
    setFilters({ type: draft.type.trim() || undefined, job_id: draft.job_id.trim() || undefined, after: draft.past ? '0' : undefined });
  };

  const view = STATUS_VIEW[stream.status];
  return (
    <>
      <form className="panel form filters" onSubmit={apply} aria-label="Event filters">
        <div className="form__row">
          <div className="form__field">
            <label htmlFor={typeId}>Event types</label>
            <input id={typeId} type="text" list={listId} value={draft.type} placeholder="job.*,run.failed" onChange={(event) => setDraft({ ...draft, type: event.target.value })} />
            <datalist id={listId}>
              {EVENT_TYPE_FAMILIES.map((family) => (
                <option key={family} value={family} />
              ))}
            </datalist>
          </div>
          <div className="form__field">
            <label htmlFor={jobId}>Job id</label>
            <input id={jobId} type="text" className="mono" value={draft.job_id} placeholder="uuid" onChange={(event) => setDraft({ ...draft, job_id: event.target.value })} />
          </div>
          <div className="form__field form__field--inline">
            <input id={pastId} type="checkbox" checked={draft.past} onChange={(event) => setDraft({ ...draft, past: event.target.checked })} />
            <label htmlFor={pastId}>Include past events</label>
          </div>
          <button type="submit" className="button">
            Apply filters
          </button>
        </div>
        {formError && (
          <span className="form__error" role="alert">
            {formError}
          </span>
        )}
      </form>

      <div className="toolbar">
        <span className="toolbar__status">
          Connection: <span className={view.className} data-testid="stream-status">{view.label}</span>
        </span>
        {stream.paused ? (
          <button type="button" className="button button--small button--primary" onClick={stream.resume}>
            Resume
          </button>
        ) : (
          <button type="button" className="button button--small" onClick={stream.pause}>
            Pause
          </button>
        )}
        <button type="button" className="button button--small" onClick={stream.clear}>
          Clear
        </button>
        {stream.status === 'closed' && (
          <button type="button" className="button button--small" onClick={stream.reconnect}>
            Reconnect
          </button>
        )}
        {stream.paused && (
          <span className="muted" role="status">
            Paused · {stream.buffered} new {stream.buffered === 1 ? 'event' : 'events'} buffered
          </span>
        )}
        <span className="muted toolbar__count">
          {stream.lines.length} {stream.lines.length === 1 ? 'line' : 'lines'} (last {EVENT_BUFFER_LINES} kept)
        </span>
      </div>
      <EventLines ref={terminal} events={stream.lines} label="Event stream" live />
    </>
  );
}
