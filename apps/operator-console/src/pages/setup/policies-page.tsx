import { POLICY_DOCUMENT_SCHEMA } from '@orch/contracts';
import type { RJSFSchema } from '@rjsf/utils';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Policy, PolicyBody } from '../../api/policies';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { SchemaForm } from '../../forms/schema-form';
import { useCreatePolicy, useDeletePolicy, usePolicies, usePolicy, useUpdatePolicy } from '../../hooks/use-policies';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, TextField, useCanAdmin } from './shared';

/** The policy body's JSON Schema (@orch/contracts), the same bounds and defaults as the API's DTOs. */
export const POLICY_FORM_SCHEMA = POLICY_DOCUMENT_SCHEMA as unknown as RJSFSchema;

export function PoliciesPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const policies = usePolicies(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const navigate = useNavigate();
  const rows = policies.data?.data ?? [];
  return (
    <Page
      title="Policies"
      subtitle="Reliability policies: timeouts, retries, circuit breaker, rate limit and degradation of a connector's calls."
      actions={
        canAdmin && (
          <Link className="button button--primary" to="new">
            Create policy
          </Link>
        )
      }
    >
      <QueryState isLoading={policies.isLoading} error={policies.error} isEmpty={rows.length === 0} empty="No policies yet.">
        <DataTable<Policy>
          caption="Policies"
          rows={rows}
          rowKey={(p) => p.id}
          onRowClick={(p) => void navigate(encodeURIComponent(p.name))}
          columns={[
            { header: 'Name', render: (p) => <Link to={encodeURIComponent(p.name)}>{p.name}</Link> },
            { header: 'Total timeout', render: (p) => `${p.timeout.total_ms} ms` },
            { header: 'Attempts', render: (p) => String(p.retry.max_attempts) },
            { header: 'Rate limit', render: (p) => `${p.rate_limit.refill_per_sec}/s (burst ${p.rate_limit.capacity})` },
            { header: 'Degradation', render: (p) => p.degradation },
            { header: 'Updated', render: (p) => formatTime(p.updated_at) },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={policies.data?.next_cursor} />
    </Page>
  );
}

function bodyOf(policy: Policy): PolicyBody {
  return { timeout: policy.timeout, retry: policy.retry, circuit_breaker: policy.circuit_breaker, rate_limit: policy.rate_limit, degradation: policy.degradation };
}

/** `policies/new` and `policies/:name`. */
export function PolicyEditPage() {
  const workspaceId = useWorkspaceId();
  const { name } = useParams();
  const policy = usePolicy(workspaceId, name);
  return (
    <Page title={name ? `Policy ${name}` : 'Create policy'} subtitle={<Link to=".." relative="path">Back to policies</Link>}>
      <QueryState isLoading={!!name && policy.isLoading} error={name ? policy.error : undefined}>
        {(!name || policy.data) && <PolicyEditor key={name ?? 'new'} workspaceId={workspaceId} existing={policy.data} />}
      </QueryState>
    </Page>
  );
}

function PolicyEditor({ workspaceId, existing }: { workspaceId: string; existing?: Policy }) {
  const canAdmin = useCanAdmin();
  const navigate = useNavigate();
  const create = useCreatePolicy(workspaceId);
  const update = useUpdatePolicy(workspaceId, existing?.name ?? '');
  const remove = useDeletePolicy(workspaceId);
  const [name, setName] = useState('');
  const [body, setBody] = useState<PolicyBody>(existing ? bodyOf(existing) : {});
  const [pending, setPending] = useState<PolicyBody | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const saveError = existing ? update.error : create.error;

  return (
    <section className="panel" aria-labelledby="policy-form-title">
      <h2 className="panel__title" id="policy-form-title">
        {existing ? 'Settings' : 'New policy'}
      </h2>
      {!existing && (
        <div className="form">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required hint="Lowercase letters, digits, - and _ (e.g. payments-strict)." />
        </div>
      )}
      {saved && (
        <p className="notice notice--ok" role="status">
          Policy saved.
        </p>
      )}
      <SchemaForm<PolicyBody>
        schema={POLICY_FORM_SCHEMA}
        formData={body}
        idPrefix="policy"
        disabled={!canAdmin}
        serverError={saveError}
        onChange={(value) => {
          setBody(value ?? {});
          setSaved(false);
        }}
        onSubmit={(value) => {
          setProblem(undefined);
          if (!existing && name.trim() === '') return setProblem('Enter a name for the policy.');
          setPending(value ?? {});
        }}
      >
        {problem && (
          <p className="form__error" role="alert">
            {problem}
          </p>
        )}
        {saveError && !pending ? <ErrorNotice error={saveError} title="The policy was not saved" /> : null}
        {canAdmin && (
          <div className="form__row">
            <button type="submit" className="button button--primary">
              {existing ? 'Save policy' : 'Create policy'}
            </button>
            {existing && existing.name !== 'default' && (
              <button type="button" className="button button--danger" onClick={() => setDeleting(true)}>
                Delete policy
              </button>
            )}
          </div>
        )}
      </SchemaForm>
      {pending && (
        <ReasonDialog
          title={existing ? `Save policy ${existing.name}` : 'Create policy'}
          confirmLabel={existing ? 'Save policy' : 'Create policy'}
          onClose={() => setPending(undefined)}
          onConfirm={async (reason) => {
            if (existing) {
              await update.mutateAsync({ body: pending, reason });
              setSaved(true);
            } else {
              const created = await create.mutateAsync({ ...pending, name: name.trim(), reason });
              void navigate(`../${encodeURIComponent(created.name)}`, { relative: 'path' });
            }
          }}
        />
      )}
      {deleting && existing && (
        <ReasonDialog
          title={`Delete policy ${existing.name}`}
          description="A policy a connector uses cannot be deleted: point the connectors at another policy first."
          confirmLabel="Delete policy"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async (reason) => {
            await remove.mutateAsync({ name: existing.name, reason });
            void navigate('..', { relative: 'path' });
          }}
        />
      )}
    </section>
  );
}
