import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { CancelledJob, JobDetail, JobRun } from '../../api/jobs';
import { JsonView } from '../../components/json-view';
import { Page } from '../../components/page';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useCancelJob, useJob } from '../../hooks/use-jobs';
import { OPERATE_ROLES, useHasRole } from '../../hooks/use-session';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatDuration, formatTime, StatusPill } from './format';
import { ImpersonationGate } from './impersonation-gate';

/** One job: its state, output or error, callback, and every run. */
export function JobDetailPage() {
  const workspaceId = useWorkspaceId();
  const { jobId = '' } = useParams();
  const job = useJob(workspaceId, jobId);
  return (
    <Page title="Job" subtitle={<span className="mono">{jobId}</span>} actions={<Link to=".." relative="path">All jobs</Link>}>
      <QueryState isLoading={job.isLoading} error={job.error}>
        {job.data && <JobView workspaceId={workspaceId} job={job.data} />}
      </QueryState>
    </Page>
  );
}

function JobView({ workspaceId, job }: { workspaceId: string; job: JobDetail }) {
  const cancellable = job.status === 'queued' || job.status === 'running';
  return (
    <>
      <section className="panel" aria-label="Summary">
        <h2 className="panel__title">Summary</h2>
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <StatusPill status={job.status} />
            {job.cancel_requested && job.status === 'running' && <span className="muted"> cancel requested</span>}
          </dd>
          <dt>Connector</dt>
          <dd>{job.connector}</dd>
          <dt>Operation</dt>
          <dd>{job.operation}</dd>
          <dt>Attempts</dt>
          <dd>
            {job.attempts} / {job.max_attempts}
          </dd>
          <dt>Config version</dt>
          <dd>{job.config_version ?? '—'}</dd>
          <dt>Callback</dt>
          <dd>{job.has_callback ? <>{job.callback_status ? <StatusPill status={job.callback_status} /> : 'not sent yet'} · {job.callback_attempts} {job.callback_attempts === 1 ? 'attempt' : 'attempts'}</> : 'none'}</dd>
          <dt>Created</dt>
          <dd>{formatTime(job.created_at)}</dd>
          {job.delay_until && (
            <>
              <dt>Not before</dt>
              <dd>{formatTime(job.delay_until)}</dd>
            </>
          )}
          <dt>Started</dt>
          <dd>{formatTime(job.started_at)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(job.finished_at)}</dd>
        </dl>
      </section>

      {cancellable && (
        <ImpersonationGate workspaceId={workspaceId} purpose="cancel this job">
          <CancelPanel workspaceId={workspaceId} job={job} />
        </ImpersonationGate>
      )}

      {job.error && (
        <section className="panel" aria-label="Error">
          <h2 className="panel__title">Error</h2>
          <p>
            <code>{job.error.code}</code> {job.error.message}
          </p>
          {job.error.details !== undefined && <JsonView value={job.error.details} label="Error details" />}
        </section>
      )}
      {job.output !== null && job.output !== undefined && (
        <section className="panel" aria-label="Output">
          <h2 className="panel__title">Output</h2>
          <JsonView value={job.output} label="Output" />
        </section>
      )}

      <section className="panel" aria-label="Runs">
        <h2 className="panel__title">Runs</h2>
        {job.runs.length === 0 ? <p className="empty-state">No run yet.</p> : <RunsTimeline runs={job.runs} />}
      </section>
    </>
  );
}

function RunsTimeline({ runs }: { runs: JobRun[] }) {
  return (
    <ol className="timeline" aria-label="Runs timeline">
      {runs.map((run) => (
        <li key={run.id} className={`timeline__item timeline__item--${run.status}`}>
          <div className="timeline__head">
            <strong>Attempt {run.attempt}</strong> <StatusPill status={run.status} />
          </div>
          <div className="timeline__meta">
            started {formatTime(run.started_at)} · finished {formatTime(run.finished_at)} · {formatDuration(run.duration_ms)} · upstream {run.upstream_status ?? '—'}
          </div>
          {run.error && (
            <div className="timeline__error">
              <code>{run.error.code}</code> {run.error.message}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

function CancelPanel({ workspaceId, job }: { workspaceId: string; job: JobDetail }) {
  const cancel = useCancelJob(workspaceId);
  const allowed = useHasRole(...OPERATE_ROLES);
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<CancelledJob | undefined>(undefined);
  return (
    <section className="panel" aria-label="Cancel">
      <h2 className="panel__title">Cancel</h2>
      <p className="muted">A queued job is cancelled at once; a running one stops at the worker's next safe point.</p>
      {outcome ? (
        <p className="notice notice--ok" role="status">
          {outcome.status === 'cancelled' ? 'Job cancelled.' : 'Cancel requested: the worker stops the job at its next safe point.'}
        </p>
      ) : (
        <button type="button" className="button button--danger" disabled={!allowed || (job.status === 'running' && job.cancel_requested)} onClick={() => setOpen(true)}>
          Cancel job
        </button>
      )}
      {open && (
        <ReasonDialog
          title="Cancel job"
          description="exec-api cancels the job as the impersonated workspace; the impersonation holds your reason in the audit log."
          confirmLabel="Cancel job"
          danger
          onConfirm={async () => setOutcome(await cancel.mutateAsync(job.id))}
          onClose={() => setOpen(false)}
        />
      )}
    </section>
  );
}
