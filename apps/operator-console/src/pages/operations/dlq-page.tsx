import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';
import { type DeadLetteredJob, type DlqFilters, type DlqPurgeResult, type DlqReplayResult, dlqSelectionOf } from '../../api/dlq';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { type BatchOutcome, type DlqTarget, useDlq, usePurgeDlq, useReplayDlq } from '../../hooks/use-dlq';
import { ADMIN_ROLES, OPERATE_ROLES, useHasRole } from '../../hooks/use-session';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { compact, formatTime, isoFromLocalInput, shortId } from './format';

/** control-api takes at most 1000 jobs per filtered replay or purge (default 100). */
const MAX_BATCH = 1000;

type Action = { kind: 'replay' | 'purge'; scope: 'selected' | 'matching' };
type Outcome = { kind: 'replay'; outcome: BatchOutcome<DlqReplayResult> } | { kind: 'purge'; outcome: BatchOutcome<DlqPurgeResult> };

/** Dead-lettered jobs: inspect, replay (selected or all matching) or purge. */
export function DlqPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const [filters, setFilters] = useState<DlqFilters>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<Action | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const dlq = useDlq(workspaceId, filters, pager.cursor);
  const canReplay = useHasRole(...OPERATE_ROLES);
  const canPurge = useHasRole(...ADMIN_ROLES);
  const rows = dlq.data?.data ?? [];

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allOnPage = rows.length > 0 && rows.every((row) => selected.has(row.id));

  return (
    <Page
      title="Dead-letter queue"
      subtitle="Jobs that used up their attempts, most recently dead-lettered first. Replaying puts them back on the queue with a fresh attempt budget."
      actions={
        <>
          {canReplay && (
            <>
              <button type="button" className="button button--primary" disabled={selected.size === 0} onClick={() => setAction({ kind: 'replay', scope: 'selected' })}>
                Replay selected ({selected.size})
              </button>
              <button type="button" className="button" disabled={rows.length === 0} onClick={() => setAction({ kind: 'replay', scope: 'matching' })}>
                Replay all matching
              </button>
            </>
          )}
          {canPurge && (
            <>
              <button type="button" className="button button--danger" disabled={selected.size === 0} onClick={() => setAction({ kind: 'purge', scope: 'selected' })}>
                Purge selected
              </button>
              <button type="button" className="button button--danger" disabled={rows.length === 0} onClick={() => setAction({ kind: 'purge', scope: 'matching' })}>
                Purge all matching
              </button>
            </>
          )}
        </>
      }
    >
      <DlqFiltersForm
        onApply={(next) => {
          setFilters(next);
          setSelected(new Set());
          pager.reset();
        }}
      />
      {outcome && <OutcomeNotice outcome={outcome} onDismiss={() => setOutcome(undefined)} />}
      <QueryState isLoading={dlq.isLoading} error={dlq.error} isEmpty={rows.length === 0} empty="The dead-letter queue is empty for these filters.">
        <DataTable<DeadLetteredJob>
          caption="Dead-lettered jobs"
          rows={rows}
          rowKey={(job) => job.id}
          columns={[
            {
              header: 'Select',
              render: (job) => <input type="checkbox" aria-label={`Select job ${job.id}`} checked={selected.has(job.id)} onChange={() => toggle(job.id)} />,
            },
            {
              header: 'Job',
              className: 'mono',
              render: (job) => (
                <Link to={`../jobs/${job.id}`} relative="path" title={job.id}>
                  {shortId(job.id)}
                </Link>
              ),
            },
            { header: 'Connector', render: (job) => job.connector },
            { header: 'Operation', render: (job) => job.operation },
            { header: 'Last error', render: (job) => (job.error ? <><code>{job.error.code}</code> {job.error.message}</> : '—') },
            { header: 'Attempts', render: (job) => `${job.attempts} / ${job.max_attempts}` },
            { header: 'Dead-lettered', render: (job) => formatTime(job.dead_lettered_at) },
          ]}
        />
        <div className="toolbar">
          <button type="button" className="button button--small" onClick={() => setSelected(allOnPage ? new Set() : new Set(rows.map((row) => row.id)))}>
            {allOnPage ? 'Clear selection' : 'Select all on this page'}
          </button>
        </div>
        <Pager pager={pager} nextCursor={dlq.data?.next_cursor} />
      </QueryState>
      {action && (
        <DlqActionDialog
          workspaceId={workspaceId}
          action={action}
          target={action.scope === 'selected' ? { jobIds: [...selected] } : undefined}
          filters={filters}
          onDone={(done) => {
            setOutcome(done);
            setSelected(new Set());
          }}
          onClose={() => setAction(undefined)}
        />
      )}
    </Page>
  );
}

function DlqActionDialog({ workspaceId, action, target, filters, onDone, onClose }: { workspaceId: string; action: Action; target: DlqTarget | undefined; filters: DlqFilters; onDone: (outcome: Outcome) => void; onClose: () => void }) {
  const replay = useReplayDlq(workspaceId);
  const purge = usePurgeDlq(workspaceId);
  const versionId = useId();
  const limitId = useId();
  const [configVersion, setConfigVersion] = useState('');
  const [limit, setLimit] = useState(100);
  const matching = action.scope === 'matching';
  const resolved: DlqTarget = target ?? { selection: dlqSelectionOf(filters, Math.min(MAX_BATCH, Math.max(1, Number.isFinite(limit) ? Math.round(limit) : 100))) };
  const count = 'jobIds' in resolved ? resolved.jobIds.length : undefined;
  const what = matching ? `every dead-lettered job matching the filters (oldest first, at most ${Number.isFinite(limit) ? limit : 100})` : `${count} selected ${count === 1 ? 'job' : 'jobs'}`;
  const replaying = action.kind === 'replay';

  return (
    <ReasonDialog
      title={replaying ? (matching ? 'Replay all matching jobs' : 'Replay selected jobs') : matching ? 'Purge all matching jobs' : 'Purge selected jobs'}
      description={replaying ? `Put ${what} back on the queue.` : `Delete ${what} and their runs. This cannot be undone.`}
      confirmLabel={replaying ? 'Replay' : 'Purge'}
      danger={!replaying}
      onConfirm={async (reason) => {
        if (replaying) onDone({ kind: 'replay', outcome: await replay.mutateAsync({ target: resolved, reason, ...(configVersion.trim() ? { configVersion: configVersion.trim() } : {}) }) });
        else onDone({ kind: 'purge', outcome: await purge.mutateAsync({ target: resolved, reason }) });
      }}
      onClose={onClose}
    >
      {matching && (
        <div className="form__field">
          <label htmlFor={limitId}>At most (jobs)</label>
          <input id={limitId} type="number" min={1} max={MAX_BATCH} value={Number.isFinite(limit) ? limit : ''} onChange={(event) => setLimit(event.target.valueAsNumber)} />
        </div>
      )}
      {replaying && (
        <div className="form__field">
          <label htmlFor={versionId}>Pin to config version (optional)</label>
          <input id={versionId} type="text" value={configVersion} placeholder="e.g. v7" onChange={(event) => setConfigVersion(event.target.value)} />
        </div>
      )}
    </ReasonDialog>
  );
}

function OutcomeNotice({ outcome, onDismiss }: { outcome: Outcome; onDismiss: () => void }) {
  const ids = outcome.kind === 'replay' ? outcome.outcome.result.job_ids : outcome.outcome.result.job_ids;
  const count = outcome.kind === 'replay' ? outcome.outcome.result.replayed : outcome.outcome.result.purged;
  const verb = outcome.kind === 'replay' ? 'Replayed' : 'Purged';
  return (
    <div className="panel outcome" role="status" aria-label="Result">
      <p className="notice notice--ok">
        {verb} {count} {count === 1 ? 'job' : 'jobs'}.
        {outcome.kind === 'replay' && outcome.outcome.result.enqueue_failed > 0 && ` ${outcome.outcome.result.enqueue_failed} could not be put on the queue yet: they stay queued and the sweeper enqueues them.`}
      </p>
      {ids.length > 0 && (
        <ul className="outcome__ids mono">
          {ids.map((id) => (
            <li key={id}>{id}</li>
          ))}
        </ul>
      )}
      {outcome.outcome.failures.map((failure) => (
        <ErrorNotice key={failure.jobId} error={failure.error} title={`Job ${failure.jobId}`} />
      ))}
      <button type="button" className="button button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

function DlqFiltersForm({ onApply }: { onApply: (filters: DlqFilters) => void }) {
  const ids = { connector: useId(), operation: useId(), code: useId(), after: useId(), before: useId() };
  const [draft, setDraft] = useState({ connector: '', operation: '', error_code: '', after: '', before: '' });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(
      compact({
        connector: draft.connector.trim(),
        operation: draft.operation.trim(),
        error_code: draft.error_code.trim(),
        dead_lettered_after: isoFromLocalInput(draft.after),
        dead_lettered_before: isoFromLocalInput(draft.before),
      }),
    );
  };
  const field = (key: keyof typeof draft) => ({ value: draft[key], onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }) });
  return (
    <form className="panel form filters" onSubmit={submit} aria-label="DLQ filters">
      <div className="form__row">
        <div className="form__field">
          <label htmlFor={ids.connector}>Connector</label>
          <input id={ids.connector} type="text" {...field('connector')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.operation}>Operation</label>
          <input id={ids.operation} type="text" {...field('operation')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.code}>Error code</label>
          <input id={ids.code} type="text" placeholder="UPSTREAM_ERROR" {...field('error_code')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.after}>Dead-lettered after</label>
          <input id={ids.after} type="datetime-local" {...field('after')} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.before}>Dead-lettered before</label>
          <input id={ids.before} type="datetime-local" {...field('before')} />
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>
      </div>
    </form>
  );
}
