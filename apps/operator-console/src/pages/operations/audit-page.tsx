import { type FormEvent, useId, useState } from 'react';
import { AUDIT_ACTOR_TYPES, type AuditEntry, type AuditFilters } from '../../api/audit';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { JsonDiff } from '../../components/json-diff';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useAuditLog, useAuditVerify } from '../../hooks/use-audit';
import { useWorkspaceOptions } from '../../hooks/use-workspaces';
import { compact, formatTime, isoFromLocalInput, shortId } from './format';

/** The hash-chained audit log: every change with its actor, reason and before/after; chain verification. */
export function AuditPage() {
  const pager = useCursorPager();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [selected, setSelected] = useState<AuditEntry | undefined>(undefined);
  const audit = useAuditLog(filters, pager.cursor);
  const workspaces = useWorkspaceOptions();
  const workspaceName = (id: string | null) => (id ? (workspaces.data?.data.find((w) => w.id === id)?.name ?? shortId(id)) : '—');

  return (
    <Page title="Audit log" subtitle="Every change made through Orchestrator, newest first, with who made it and why. Rows are hash-chained.">
      <VerifyPanel />
      <AuditFiltersForm
        onApply={(next) => {
          setFilters(next);
          setSelected(undefined);
          pager.reset();
        }}
      />
      <QueryState isLoading={audit.isLoading} error={audit.error} isEmpty={audit.data?.data.length === 0} empty="No audit rows match these filters.">
        <DataTable<AuditEntry>
          caption="Audit rows (select one to see its change)"
          rows={audit.data?.data ?? []}
          rowKey={(row) => row.id}
          onRowClick={setSelected}
          columns={[
            { header: 'Id', className: 'mono', render: (row) => row.id },
            { header: 'Time', render: (row) => formatTime(row.created_at) },
            { header: 'Action', className: 'mono', render: (row) => row.action },
            { header: 'Actor', render: (row) => <span title={row.actor_id}>{row.actor_type}: {row.actor_type === 'operator' ? shortId(row.actor_id) : row.actor_id}</span> },
            { header: 'Target', render: (row) => (row.target_type ? `${row.target_type}${row.target_id ? ` ${shortId(row.target_id)}` : ''}` : '—') },
            { header: 'Workspace', render: (row) => workspaceName(row.workspace_id) },
            { header: 'Reason', render: (row) => row.reason ?? '—' },
            {
              header: 'Details',
              render: (row) => (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Show audit row ${row.id}`}
                  onClick={() => setSelected(row)}
                >
                  Show
                </button>
              ),
            },
          ]}
        />
        <Pager pager={pager} nextCursor={audit.data?.next_cursor} />
      </QueryState>
      {selected && <AuditRowDetail row={selected} onClose={() => setSelected(undefined)} />}
    </Page>
  );
}

function AuditRowDetail({ row, onClose }: { row: AuditEntry; onClose: () => void }) {
  return (
    <section className="panel audit-detail" aria-label={`Audit row ${row.id}`}>
      <div className="section-header">
        <h2 className="panel__title">
          Audit row {row.id}: <code>{row.action}</code>
        </h2>
        <button type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="kv">
        <dt>Time</dt>
        <dd>{formatTime(row.created_at)}</dd>
        <dt>Actor</dt>
        <dd className="mono">
          {row.actor_type} {row.actor_id}
        </dd>
        {row.impersonator_id && (
          <>
            <dt>Impersonated by</dt>
            <dd className="mono">{row.impersonator_id}</dd>
          </>
        )}
        <dt>Target</dt>
        <dd className="mono">{row.target_type ? `${row.target_type} ${row.target_id ?? ''}` : '—'}</dd>
        <dt>Reason</dt>
        <dd>{row.reason ?? '—'}</dd>
        <dt>Request id</dt>
        <dd className="mono">{row.request_id ?? '—'}</dd>
        <dt>IP</dt>
        <dd className="mono">{row.ip ?? '—'}</dd>
        <dt>Hash</dt>
        <dd className="mono hash">{row.hash}</dd>
      </dl>
      <h3 className="section-title">Before → after</h3>
      <JsonDiff before={row.before ?? undefined} after={row.after ?? undefined} label="Before and after" />
    </section>
  );
}

/** GET /v1/audit/verify on demand: "verify: ok", or the first row whose hash no longer matches. */
function VerifyPanel() {
  const [asked, setAsked] = useState(false);
  const verify = useAuditVerify(asked);
  const result = verify.data;
  return (
    <section className="panel verify" aria-label="Chain verification">
      <div className="section-header">
        <h2 className="panel__title">Chain verification</h2>
        <button type="button" className="button" disabled={verify.isFetching} onClick={() => (asked ? void verify.refetch() : setAsked(true))}>
          {verify.isFetching ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      {!asked && <p className="muted">Recomputes every row's hash in order; a row changed behind the API's back breaks the chain.</p>}
      {verify.error ? <ErrorNotice error={verify.error} title="The chain could not be verified" /> : null}
      {result && !verify.isFetching && result.ok && (
        <p className="notice notice--ok" role="status">
          <strong>verify: ok</strong> <span>({result.checked} rows checked)</span>
        </p>
      )}
      {result && !verify.isFetching && !result.ok && (
        <div className="notice notice--error" role="alert">
          <strong>verify: broken at row {result.first_broken_id}</strong>
          <span>
            The hash of audit row {result.first_broken_id} does not match its content or the row before it; the {result.checked} rows before it check out.
          </span>
        </div>
      )}
    </section>
  );
}

function AuditFiltersForm({ onApply }: { onApply: (filters: AuditFilters) => void }) {
  const workspaces = useWorkspaceOptions();
  const ids = { workspace: useId(), actorType: useId(), actorId: useId(), action: useId(), targetType: useId(), targetId: useId(), from: useId(), to: useId() };
  const [draft, setDraft] = useState({ workspace_id: '', actor_type: '', actor_id: '', action: '', target_type: '', target_id: '', from: '', to: '' });
  const set = (key: keyof typeof draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(
      compact({
        workspace_id: draft.workspace_id,
        actor_type: draft.actor_type,
        actor_id: draft.actor_id.trim(),
        action: draft.action.trim(),
        target_type: draft.target_type.trim(),
        target_id: draft.target_id.trim(),
        from: isoFromLocalInput(draft.from),
        to: isoFromLocalInput(draft.to),
      }),
    );
  };
  return (
    <form className="panel form filters" onSubmit={submit} aria-label="Audit filters">
      <div className="form__row">
        <div className="form__field">
          <label htmlFor={ids.workspace}>Workspace</label>
          <select id={ids.workspace} value={draft.workspace_id} onChange={set('workspace_id')}>
            <option value="">All workspaces</option>
            {workspaces.data?.data.map((workspace) => (
              <option key={workspace.id} value={workspace.id}>
                {workspace.name}
              </option>
            ))}
          </select>
        </div>
        <div className="form__field">
          <label htmlFor={ids.actorType}>Actor type</label>
          <select id={ids.actorType} value={draft.actor_type} onChange={set('actor_type')}>
            <option value="">Any actor</option>
            {AUDIT_ACTOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div className="form__field">
          <label htmlFor={ids.actorId}>Actor id</label>
          <input id={ids.actorId} type="text" value={draft.actor_id} onChange={set('actor_id')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.action}>Action</label>
          <input id={ids.action} type="text" placeholder="connector.create" value={draft.action} onChange={set('action')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.targetType}>Target type</label>
          <input id={ids.targetType} type="text" value={draft.target_type} onChange={set('target_type')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.targetId}>Target id</label>
          <input id={ids.targetId} type="text" value={draft.target_id} onChange={set('target_id')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>
      </div>
    </form>
  );
}
