import { useId, useState } from 'react';
import { type SecretRef, type SecretRefCheck, vaultNameOf } from '../../api/secret-refs';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useCheckSecretRef, useCreateSecretRef, useDeleteSecretRef, useSecretRefs } from '../../hooks/use-secret-refs';
import { usePutSecret } from '../../hooks/use-secrets';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, SelectField, TextField, useCanAdmin } from './shared';

type Dialog = { kind: 'create' } | { kind: 'delete'; ref: SecretRef } | { kind: 'set-value'; ref: SecretRef; vaultName: string };

export function SecretRefsPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const refs = useSecretRefs(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  const rows = refs.data?.data ?? [];
  const close = () => setDialog(undefined);

  return (
    <Page
      title="Secret refs"
      subtitle="Named pointers to secrets (an environment variable or a vault secret). Values are write-only and never shown."
      actions={
        canAdmin && (
          <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
            Create secret ref
          </button>
        )
      }
    >
      <QueryState isLoading={refs.isLoading} error={refs.error} isEmpty={rows.length === 0} empty="No secret refs yet.">
        <DataTable<SecretRef>
          caption="Secret refs"
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            { header: 'Name', render: (r) => r.name },
            { header: 'Points at', className: 'mono', render: (r) => r.ref },
            { header: 'Created', render: (r) => formatTime(r.created_at) },
            { header: 'Check', render: (r) => <CheckCell workspaceId={workspaceId} name={r.name} /> },
            {
              header: 'Actions',
              render: (r) => {
                const vaultName = vaultNameOf(r.ref);
                return canAdmin ? (
                  <div className="setup-row-actions">
                    {vaultName && (
                      <button type="button" className="button button--small" aria-label={`Set value of ${r.name}`} onClick={() => setDialog({ kind: 'set-value', ref: r, vaultName })}>
                        Set value
                      </button>
                    )}
                    <button type="button" className="button button--small button--danger" aria-label={`Delete ${r.name}`} onClick={() => setDialog({ kind: 'delete', ref: r })}>
                      Delete
                    </button>
                  </div>
                ) : null;
              },
            },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={refs.data?.next_cursor} />
      {dialog?.kind === 'create' && <CreateSecretRefDialog workspaceId={workspaceId} onClose={close} />}
      {dialog?.kind === 'delete' && <DeleteSecretRefDialog workspaceId={workspaceId} secretRef={dialog.ref} onClose={close} />}
      {dialog?.kind === 'set-value' && <SetSecretValueDialog workspaceId={workspaceId} refName={dialog.ref.name} vaultName={dialog.vaultName} onClose={close} />}
    </Page>
  );
}

/** "Check" resolves the ref now, in control-api, and shows whether it works (never the value). */
function CheckCell({ workspaceId, name }: { workspaceId: string; name: string }) {
  const check = useCheckSecretRef(workspaceId);
  return (
    <div className="setup-check" aria-live="polite">
      <button type="button" className="button button--small" aria-label={`Check ${name}`} onClick={() => check.mutate(name)} disabled={check.isPending}>
        {check.isPending ? 'Checking…' : 'Check'}
      </button>{' '}
      {check.data && <CheckResult result={check.data} />}
      {check.error && <ErrorNotice error={check.error} />}
    </div>
  );
}

function CheckResult({ result }: { result: SecretRefCheck }) {
  if (result.ok) return <span className="badge badge--ok">{result.version === undefined ? 'resolves' : `resolves (version ${result.version})`}</span>;
  return (
    <span className="setup-check__failure">
      <span className="badge badge--down">{result.reason ?? 'fails'}</span> <span className="muted">{result.message}</span>
    </span>
  );
}

function CreateSecretRefDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const create = useCreateSecretRef(workspaceId);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'vault' | 'env'>('vault');
  const [target, setTarget] = useState('');
  const targetName = kind === 'vault' ? target.trim() || name.trim() : target.trim();
  return (
    <ReasonDialog
      title="Create secret ref"
      description="A vault ref may be created before its value exists; set the value afterwards with Set value."
      confirmLabel="Create secret ref"
      onClose={onClose}
      onConfirm={(reason) => create.mutateAsync({ name: name.trim(), ref: `${kind}://${targetName}`, reason })}
    >
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required hint="Letters, digits, . _ - (e.g. acme-token)." />
      <SelectField
        label="Kind"
        value={kind}
        onChange={(value) => setKind(value === 'env' ? 'env' : 'vault')}
        options={[
          { value: 'vault', label: 'Vault secret (vault://name)' },
          { value: 'env', label: 'Environment variable (env://NAME)' },
        ]}
      />
      {kind === 'vault' ? (
        <TextField label="Vault secret name" value={target} placeholder={name || 'same as the name'} onChange={(e) => setTarget(e.target.value)} autoComplete="off" hint="Leave empty to use the ref's name." />
      ) : (
        <TextField label="Environment variable" value={target} onChange={(e) => setTarget(e.target.value)} autoComplete="off" required hint="A-Z, 0-9, _ (e.g. ACME_TOKEN); read by the processes that use the ref." />
      )}
      <p className="muted">
        Points at <code>{`${kind}://${targetName}`}</code>
      </p>
    </ReasonDialog>
  );
}

function DeleteSecretRefDialog({ workspaceId, secretRef, onClose }: { workspaceId: string; secretRef: SecretRef; onClose: () => void }) {
  const remove = useDeleteSecretRef(workspaceId);
  return (
    <ReasonDialog
      title={`Delete secret ref ${secretRef.name}`}
      description="Refused while a connector, a webhook route or the workspace's callback setting names it. Vault values are not deleted."
      confirmLabel="Delete secret ref"
      danger
      onClose={onClose}
      onConfirm={(reason) => remove.mutateAsync({ name: secretRef.name, reason })}
    />
  );
}

/** Writes a new vault version; the value is never read back or shown. */
export function SetSecretValueDialog({ workspaceId, refName, vaultName, onClose }: { workspaceId: string; refName: string; vaultName: string; onClose: () => void }) {
  const put = usePutSecret(workspaceId);
  const [value, setValue] = useState('');
  const [missing, setMissing] = useState(false);
  const id = useId();
  return (
    <ReasonDialog
      title={`Set value of ${refName}`}
      description={
        <>
          Stores a new version of vault secret <code>{vaultName}</code>. The value is write-only: it is never shown again.
        </>
      }
      confirmLabel="Set value"
      onClose={onClose}
      onConfirm={async (reason) => {
        if (value === '') {
          setMissing(true);
          throw new Error('Enter the secret value');
        }
        await put.mutateAsync({ name: vaultName, value, reason });
      }}
    >
      <div className="form__field">
        <label htmlFor={id}>Secret value</label>
        <input id={id} type="password" autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={missing && value === ''} />
      </div>
    </ReasonDialog>
  );
}
