import { type FormEvent, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { type Job, JOB_STATUSES, type JobFilters, type JobStatus } from '../../api/jobs';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useJobs } from '../../hooks/use-jobs';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { compact, formatTime, IdLink, isoFromLocalInput, StatusPill } from './format';

/** The workspace's async jobs, newest first, filterable. */
export function JobsPage() {
  const workspaceId = useWorkspaceId();
  const navigate = useNavigate();
  const pager = useCursorPager();
  const [filters, setFilters] = useState<JobFilters>({});
  const jobs = useJobs(workspaceId, filters, pager.cursor);

  return (
    <Page title="Jobs" subtitle="Asynchronous jobs of this workspace (POST /v1/jobs), newest first.">
      <JobFiltersForm
        onApply={(next) => {
          setFilters(next);
          pager.reset();
        }}
      />
      <QueryState isLoading={jobs.isLoading} error={jobs.error} isEmpty={jobs.data?.data.length === 0} empty="No jobs match these filters.">
        <DataTable<Job>
          caption="Jobs"
          rows={jobs.data?.data ?? []}
          rowKey={(job) => job.id}
          onRowClick={(job) => void navigate(job.id)}
          columns={[
            {
              header: 'Job',
              className: 'mono',
              render: (job) => <IdLink id={job.id} />,
            },
            { header: 'Connector', render: (job) => job.connector },
            { header: 'Operation', render: (job) => job.operation },
            { header: 'Status', render: (job) => <StatusPill status={job.status} /> },
            { header: 'Attempts', render: (job) => `${job.attempts} / ${job.max_attempts}` },
            { header: 'Created', render: (job) => formatTime(job.created_at) },
            { header: 'Finished', render: (job) => formatTime(job.finished_at) },
          ]}
        />
        <Pager pager={pager} nextCursor={jobs.data?.next_cursor} />
      </QueryState>
    </Page>
  );
}

function JobFiltersForm({ onApply }: { onApply: (filters: JobFilters) => void }) {
  const ids = { status: useId(), connector: useId(), after: useId(), before: useId() };
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [connector, setConnector] = useState('');
  const [after, setAfter] = useState('');
  const [before, setBefore] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(compact({ status, connector: connector.trim(), created_after: isoFromLocalInput(after), created_before: isoFromLocalInput(before) }));
  };
  return (
    <form className="panel form filters" onSubmit={submit} aria-label="Job filters">
      <div className="form__row">
        <div className="form__field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => setStatus(event.target.value as JobStatus | '')}>
            <option value="">Any status</option>
            {JOB_STATUSES.map((value) => (
              <option key={value} value={value}>
                {value.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <div className="form__field">
          <label htmlFor={ids.connector}>Connector</label>
          <input id={ids.connector} type="text" value={connector} onChange={(event) => setConnector(event.target.value)} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.after}>Created after</label>
          <input id={ids.after} type="datetime-local" value={after} onChange={(event) => setAfter(event.target.value)} />
        </div>
        <div className="form__field">
          <label htmlFor={ids.before}>Created before</label>
          <input id={ids.before} type="datetime-local" value={before} onChange={(event) => setBefore(event.target.value)} />
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>
      </div>
    </form>
  );
}
