import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { isRetryable, type WebhookInboxDetail } from '../../api/webhook-inbox';
import { JsonView } from '../../components/json-view';
import { Page } from '../../components/page';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { OPERATE_ROLES, useHasRole } from '../../hooks/use-session';
import { useRetryWebhookInboxItem, useWebhookInboxItem } from '../../hooks/use-webhook-inbox';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, StatusPill } from './format';

/** One stored webhook: headers as received (signatures dropped), payload, attempts and last error. */
export function WebhookInboxDetailPage() {
  const workspaceId = useWorkspaceId();
  const { inboxId = '' } = useParams();
  const item = useWebhookInboxItem(workspaceId, inboxId);
  return (
    <Page title="Webhook" subtitle={<span className="mono">{inboxId}</span>} actions={<Link to=".." relative="path">Webhook inbox</Link>}>
      <QueryState isLoading={item.isLoading} error={item.error}>
        {item.data && <InboxItemView workspaceId={workspaceId} item={item.data} />}
      </QueryState>
    </Page>
  );
}

function InboxItemView({ workspaceId, item }: { workspaceId: string; item: WebhookInboxDetail }) {
  const retry = useRetryWebhookInboxItem(workspaceId);
  const canRetry = useHasRole(...OPERATE_ROLES);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(false);
  const processAgain = item.status === 'processed';
  return (
    <>
      <section className="panel" aria-label="Summary">
        <h2 className="panel__title">Summary</h2>
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <StatusPill status={item.status} />
          </dd>
          <dt>Provider</dt>
          <dd>{item.provider}</dd>
          <dt>Event type</dt>
          <dd>{item.event_type ?? '—'}</dd>
          <dt>Event id</dt>
          <dd className="mono">{item.event_id}</dd>
          <dt>Route</dt>
          <dd className="mono">{item.route_id ?? 'deleted'}</dd>
          <dt>Attempts</dt>
          <dd>{item.attempts}</dd>
          <dt>Last error</dt>
          <dd>{item.last_error ?? '—'}</dd>
          <dt>Received</dt>
          <dd>{formatTime(item.received_at)}</dd>
          <dt>Processed</dt>
          <dd>{formatTime(item.processed_at)}</dd>
        </dl>
        {done && (
          <p className="notice notice--ok" role="status">
            Queued for another attempt.
          </p>
        )}
        {canRetry && isRetryable(item.status) && (
          <button type="button" className="button button--primary" onClick={() => setOpen(true)}>
            {processAgain ? 'Process again' : 'Retry'}
          </button>
        )}
      </section>
      <section className="panel" aria-label="Headers">
        <h2 className="panel__title">Headers</h2>
        <JsonView value={item.headers} label="Headers" />
      </section>
      <section className="panel" aria-label="Payload">
        <h2 className="panel__title">Payload</h2>
        {item.payload_ref ? (
          <p className="muted">
            Stored by reference: <code>{item.payload_ref}</code>
          </p>
        ) : (
          <JsonView value={item.payload} label="Payload" />
        )}
      </section>
      {open && (
        <ReasonDialog
          title={processAgain ? 'Process webhook again' : 'Retry webhook'}
          description={processAgain ? 'The target receives this event once more (same webhook-id).' : 'Send this webhook through the worker again, with a fresh attempt budget.'}
          confirmLabel={processAgain ? 'Process again' : 'Retry'}
          onConfirm={async (reason) => {
            await retry.mutateAsync({ inboxId: item.id, reason });
            setDone(true);
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
