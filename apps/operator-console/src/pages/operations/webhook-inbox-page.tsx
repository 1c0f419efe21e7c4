import { type FormEvent, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { WEBHOOK_INBOX_STATUSES, WEBHOOK_PROVIDERS, type WebhookInboxBulkRetryResult, type WebhookInboxFilters, type WebhookInboxItem, type WebhookInboxStatus } from '../../api/webhook-inbox';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { OPERATE_ROLES, useHasRole } from '../../hooks/use-session';
import { useRetryWebhookInbox, useRetryWebhookInboxItem, useWebhookInbox } from '../../hooks/use-webhook-inbox';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { compact, formatTime, IdLink, isoFromLocalInput, StatusPill } from './format';

/** control-api takes at most 1000 rows per bulk retry (default 100). */
const MAX_BULK = 1000;

/** Webhooks webhook-ingress stored for this workspace: status, attempts, retry. */
export function WebhookInboxPage() {
  const workspaceId = useWorkspaceId();
  const navigate = useNavigate();
  const pager = useCursorPager();
  const [filters, setFilters] = useState<WebhookInboxFilters>({});
  const [retrying, setRetrying] = useState<WebhookInboxItem | undefined>(undefined);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const inbox = useWebhookInbox(workspaceId, filters, pager.cursor);
  const retryOne = useRetryWebhookInboxItem(workspaceId);
  const canRetry = useHasRole(...OPERATE_ROLES);

  return (
    <Page
      title="Webhook inbox"
      subtitle="Provider webhooks received for this workspace, newest first. Failed ones can be sent through the worker again."
      actions={
        canRetry && (
          <button type="button" className="button" onClick={() => setBulkOpen(true)}>
            Retry failed matching
          </button>
        )
      }
    >
      <InboxFiltersForm
        onApply={(next) => {
          setFilters(next);
          pager.reset();
        }}
      />
      {message && (
        <p className="notice notice--ok" role="status">
          {message}
        </p>
      )}
      <QueryState isLoading={inbox.isLoading} error={inbox.error} isEmpty={inbox.data?.data.length === 0} empty="No webhooks match these filters.">
        <DataTable<WebhookInboxItem>
          caption="Webhook inbox"
          rows={inbox.data?.data ?? []}
          rowKey={(item) => item.id}
          onRowClick={(item) => void navigate(item.id)}
          columns={[
            {
              header: 'Inbox id',
              className: 'mono',
              render: (item) => <IdLink id={item.id} />,
            },
            { header: 'Received', render: (item) => formatTime(item.received_at) },
            { header: 'Provider', render: (item) => item.provider },
            { header: 'Event type', render: (item) => item.event_type ?? '—' },
            { header: 'Event id', className: 'mono', render: (item) => item.event_id },
            { header: 'Status', render: (item) => <StatusPill status={item.status} /> },
            { header: 'Attempts', render: (item) => item.attempts },
            { header: 'Last error', render: (item) => item.last_error ?? '—' },
            {
              header: 'Actions',
              render: (item) =>
                canRetry && item.status === 'failed' ? (
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Retry ${item.event_id}`}
                    onClick={() => setRetrying(item)}
                  >
                    Retry
                  </button>
                ) : null,
            },
          ]}
        />
        <Pager pager={pager} nextCursor={inbox.data?.next_cursor} />
      </QueryState>
      {retrying && (
        <ReasonDialog
          title="Retry webhook"
          description={`Send ${retrying.provider} event ${retrying.event_id} through the worker again, with a fresh attempt budget.`}
          confirmLabel="Retry"
          onConfirm={async (reason) => {
            await retryOne.mutateAsync({ inboxId: retrying.id, reason });
            setMessage(`Webhook ${retrying.event_id} is queued for another attempt.`);
          }}
          onClose={() => setRetrying(undefined)}
        />
      )}
      {bulkOpen && (
        <BulkRetryDialog
          workspaceId={workspaceId}
          filters={filters}
          onDone={(result) => setMessage(`Retried ${result.retried} ${result.retried === 1 ? 'webhook' : 'webhooks'}.${result.enqueue_failed > 0 ? ` ${result.enqueue_failed} wait for the sweeper to enqueue them.` : ''}`)}
          onClose={() => setBulkOpen(false)}
        />
      )}
    </Page>
  );
}

function BulkRetryDialog({ workspaceId, filters, onDone, onClose }: { workspaceId: string; filters: WebhookInboxFilters; onDone: (result: WebhookInboxBulkRetryResult) => void; onClose: () => void }) {
  const retry = useRetryWebhookInbox(workspaceId);
  const limitId = useId();
  const [limit, setLimit] = useState(100);
  const status = filters.status === 'processed' ? 'processed' : 'failed';
  const bounded = Math.min(MAX_BULK, Math.max(1, Number.isFinite(limit) ? Math.round(limit) : 100));
  return (
    <ReasonDialog
      title={status === 'processed' ? 'Process matching webhooks again' : 'Retry failed matching webhooks'}
      description={`Send every ${status} webhook matching the filters through the worker again (oldest first, at most ${bounded}).`}
      confirmLabel="Retry"
      onConfirm={async (reason) => onDone(await retry.mutateAsync({ filters, limit: bounded, reason }))}
      onClose={onClose}
    >
      <div className="form__field">
        <label htmlFor={limitId}>At most (webhooks)</label>
        <input id={limitId} type="number" min={1} max={MAX_BULK} value={Number.isFinite(limit) ? limit : ''} onChange={(event) => setLimit(event.target.valueAsNumber)} />
      </div>
    </ReasonDialog>
  );
}

function InboxFiltersForm({ onApply }: { onApply: (filters: WebhookInboxFilters) => void }) {
  const ids = { provider: useId(), status: useId(), type: useId(), after: useId(), before: useId() };
  const [draft, setDraft] = useState({ provider: '', status: '' as WebhookInboxStatus | '', type: '', after: '', before: '' });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(compact({ provider: draft.provider, status: draft.status, type: draft.type.trim(), received_after: isoFromLocalInput(draft.after), received_before: isoFromLocalInput(draft.before) }));
  };
  return (
    <form className="panel form filters" onSubmit={submit} aria-label="Webhook inbox filters">
      <div className="form__row">
        <div className="form__field">
          <label htmlFor={ids.provider}>Provider</label>
          <select id={ids.provider} value={draft.provider} onChange={(event) => setDraft({ ...draft, provider: event.target.value })}>
            <option value="">Any provider</option>
            {WEBHOOK_PROVIDERS.map((provider) => (
              <option key={provider} value={provider}>
                {provider}
              </option>
            ))}
          </select>
        </div>
        <div className="form__field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={draft.status} onChange={(event) => setDraft({ ...draft, status: event.target.value as WebhookInboxStatus | '' })}>
            <option value="">Any status</option>
            {WEBHOOK_INBOX_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <div className="form__field">
          <label htmlFor={ids.type}>Event type</label>
          <input id={ids.type} type="text" placeholder="invoice.paid" value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.after}>Received after</label>
          <input id={ids.after} type="datetime-local" value={draft.after} onChange={(event) => setDraft({ ...draft, after: event.target.value })} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.before}>Received before</label>
          <input id={ids.before} type="datetime-local" value={draft.before} onChange={(event) => setDraft({ ...draft, before: event.target.value })} />
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>
      </div>
    </form>
  );
}
