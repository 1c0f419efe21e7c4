import { useId, useState } from 'react';
import { type IdentityAudience, SCOPES_BY_AUDIENCE, type ServiceIdentity, type ServiceIdentityWithSecret } from '../../api/service-identities';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useCreateServiceIdentity, useRevokeServiceIdentity, useRotateServiceIdentitySecret, useServiceIdentities } from '../../hooks/use-service-identities';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, parseInteger, SelectField, TextField, useCanAdmin } from './shared';

type Dialog = { kind: 'create' } | { kind: 'revoke'; identity: ServiceIdentity } | { kind: 'rotate'; identity: ServiceIdentity };

export function IdentitiesPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const identities = useServiceIdentities(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  // The secret lives only here, in component state, until the dialog is closed.
  const [secret, setSecret] = useState<{ identity: ServiceIdentityWithSecret; action: 'created' | 'rotated' } | undefined>(undefined);
  const rows = identities.data?.data ?? [];
  const close = () => setDialog(undefined);

  return (
    <Page
      title="Service identities"
      subtitle="Machine clients of this workspace: a client id and secret that mint tokens for exec-api or control-api."
      actions={
        canAdmin && (
          <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
            Create service identity
          </button>
        )
      }
    >
      <QueryState isLoading={identities.isLoading} error={identities.error} isEmpty={rows.length === 0} empty="No service identities yet.">
        <DataTable<ServiceIdentity>
          caption="Service identities"
          rows={rows}
          rowKey={(i) => i.id}
          columns={[
            { header: 'Name', render: (i) => i.name },
            { header: 'Client id', className: 'mono', render: (i) => i.client_id },
            { header: 'Audience', render: (i) => i.audience },
            { header: 'Scopes', render: (i) => i.scopes.join(', ') },
            { header: 'Status', render: (i) => (i.revoked_at ? <span className="badge badge--down">revoked {formatTime(i.revoked_at)}</span> : <span className="badge badge--ok">active</span>) },
            { header: 'Previous secret until', render: (i) => formatTime(i.previous_secret_expires_at) },
            {
              header: 'Actions',
              render: (i) =>
                canAdmin && !i.revoked_at ? (
                  <div className="setup-row-actions">
                    <button type="button" className="button button--small" aria-label={`Rotate secret of ${i.name}`} onClick={() => setDialog({ kind: 'rotate', identity: i })}>
                      Rotate secret
                    </button>
                    <button type="button" className="button button--small button--danger" aria-label={`Revoke ${i.name}`} onClick={() => setDialog({ kind: 'revoke', identity: i })}>
                      Revoke
                    </button>
                  </div>
                ) : null,
            },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={identities.data?.next_cursor} />

      {dialog?.kind === 'create' && <CreateIdentityDialog workspaceId={workspaceId} onClose={close} onCreated={(identity) => setSecret({ identity, action: 'created' })} />}
      {dialog?.kind === 'revoke' && <RevokeDialog workspaceId={workspaceId} identity={dialog.identity} onClose={close} />}
      {dialog?.kind === 'rotate' && <RotateDialog workspaceId={workspaceId} identity={dialog.identity} onClose={close} onRotated={(identity) => setSecret({ identity, action: 'rotated' })} />}
      {secret && <SecretOnceDialog identity={secret.identity} action={secret.action} onClose={() => setSecret(undefined)} />}
    </Page>
  );
}

function CreateIdentityDialog({ workspaceId, onClose, onCreated }: { workspaceId: string; onClose: () => void; onCreated: (identity: ServiceIdentityWithSecret) => void }) {
  const create = useCreateServiceIdentity(workspaceId);
  const [name, setName] = useState('svc:');
  const [audience, setAudience] = useState<IdentityAudience>('orchestrator-exec');
  const [scopes, setScopes] = useState<string[]>([]);
  const groupId = useId();
  return (
    <ReasonDialog
      title="Create service identity"
      description="The client secret is shown once, right after creation."
      confirmLabel="Create service identity"
      onClose={onClose}
      onConfirm={async (reason) => {
        if (scopes.length === 0) throw new Error('Choose at least one scope');
        const identity = await create.mutateAsync({ name: name.trim(), audience, scopes, reason });
        onCreated(identity);
      }}
    >
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required hint="svc: followed by lowercase letters, digits and - (e.g. svc:billing-backend)." />
      <SelectField
        label="Audience"
        value={audience}
        onChange={(value) => {
          setAudience(value === 'orchestrator-control' ? 'orchestrator-control' : 'orchestrator-exec');
          setScopes([]);
        }}
        options={[
          { value: 'orchestrator-exec', label: 'orchestrator-exec (exec-api: execute, jobs, events)' },
          { value: 'orchestrator-control', label: 'orchestrator-control (control-api)' },
        ]}
      />
      <fieldset className="form__field setup-scopes" aria-describedby={`${groupId}-hint`}>
        <legend>Scopes</legend>
        {SCOPES_BY_AUDIENCE[audience].map((scope) => (
          <label key={scope} className="setup-checkbox">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes((current) => (e.target.checked ? [...current, scope] : current.filter((s) => s !== scope)))} /> {scope}
          </label>
        ))}
        <span className="muted" id={`${groupId}-hint`}>
          The scopes of the chosen audience; at least one.
        </span>
      </fieldset>
    </ReasonDialog>
  );
}

function RevokeDialog({ workspaceId, identity, onClose }: { workspaceId: string; identity: ServiceIdentity; onClose: () => void }) {
  const revoke = useRevokeServiceIdentity(workspaceId);
  return (
    <ReasonDialog
      title={`Revoke ${identity.name}`}
      description="Permanent: no new tokens, and every token it holds is refused at its next request."
      confirmLabel="Revoke"
      danger
      onClose={onClose}
      onConfirm={(reason) => revoke.mutateAsync({ id: identity.id, reason })}
    />
  );
}

function RotateDialog({ workspaceId, identity, onClose, onRotated }: { workspaceId: string; identity: ServiceIdentity; onClose: () => void; onRotated: (identity: ServiceIdentityWithSecret) => void }) {
  const rotate = useRotateServiceIdentitySecret(workspaceId);
  const [grace, setGrace] = useState('3600');
  return (
    <ReasonDialog
      title={`Rotate secret of ${identity.name}`}
      description="A new client secret is made and shown once. The current one keeps minting tokens during the grace period."
      confirmLabel="Rotate secret"
      onClose={onClose}
      onConfirm={async (reason) => {
        const graceSeconds = parseInteger(grace);
        if (grace.trim() !== '' && (graceSeconds === undefined || graceSeconds < 0 || graceSeconds > 86400)) throw new Error('Grace period: a whole number of seconds from 0 to 86400');
        const rotated = await rotate.mutateAsync({ id: identity.id, grace_seconds: graceSeconds, reason });
        onRotated(rotated);
      }}
    >
      <TextField label="Grace period (seconds)" type="number" min={0} max={86400} value={grace} onChange={(e) => setGrace(e.target.value)} hint="How long the replaced secret still works: 0–86400, default 3600." />
    </ReasonDialog>
  );
}

/** The client secret, shown exactly once, with a copy button. */
export function SecretOnceDialog({ identity, action, onClose }: { identity: ServiceIdentityWithSecret; action: 'created' | 'rotated'; onClose: () => void }) {
  const titleId = useId();
  const secretId = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>(undefined);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(identity.client_secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 className="dialog__title" id={titleId}>
          {action === 'created' ? `Service identity ${identity.name} created` : `New secret of ${identity.name}`}
        </h2>
        <p className="notice notice--error" role="alert">
          Copy the client secret now: you will not see it again. Store it in the client's secret store.
        </p>
        <dl className="setup-facts">
          <dt>Client id</dt>
          <dd className="mono">{identity.client_id}</dd>
        </dl>
        <div className="form__field">
          <label htmlFor={secretId}>Client secret</label>
          <input id={secretId} className="mono" readOnly value={identity.client_secret} onFocus={(e) => e.target.select()} />
        </div>
        {copied === 'yes' && (
          <p className="notice notice--ok" role="status">
            Copied to the clipboard.
          </p>
        )}
        {copied === 'failed' && (
          <p className="notice notice--error" role="status">
            The browser refused the clipboard: select the secret and copy it by hand.
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={() => void copy()}>
            Copy
          </button>
          <button type="button" className="button button--primary" onClick={onClose} autoFocus>
            I have stored it
          </button>
        </div>
      </div>
    </div>
  );
}
