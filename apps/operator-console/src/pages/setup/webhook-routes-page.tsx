import { useId, useState } from 'react';
import { type CreateWebhookRouteBody, type HmacVerification, WEBHOOK_PROVIDERS, type WebhookProvider, type WebhookRoute, type WebhookTarget } from '../../api/webhook-routes';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useConnectors } from '../../hooks/use-connectors';
import { useSecretRefs } from '../../hooks/use-secret-refs';
import { useCreateWebhookRoute, useDeleteWebhookRoute, useIngressBaseUrl, useUpdateWebhookRoute, useWebhookRoutes } from '../../hooks/use-webhook-routes';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, parseInteger, SelectField, TextField, useCanAdmin } from './shared';

type Dialog = { kind: 'create' } | { kind: 'rotate'; route: WebhookRoute } | { kind: 'toggle'; route: WebhookRoute } | { kind: 'delete'; route: WebhookRoute };

/** What to give the provider: the ingress base URL (from the BFF's config) + the route's path, or the path alone. */
export function ingressUrl(base: string | undefined, route: Pick<WebhookRoute, 'ingress_path'>): string {
  return base ? `${base}${route.ingress_path}` : route.ingress_path;
}

function describeTarget(target: WebhookRoute['target']): string {
  if (target.kind === 'forward') return `forward → ${target.url ?? ''}`;
  if (target.kind === 'connector') return `connector ${target.connector ?? ''}.${target.operation ?? ''}`;
  return target.kind;
}

export function WebhookRoutesPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const routes = useWebhookRoutes(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const base = useIngressBaseUrl();
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  const [created, setCreated] = useState<WebhookRoute | undefined>(undefined);
  const rows = routes.data?.data ?? [];
  const close = () => setDialog(undefined);

  return (
    <Page
      title="Webhook routes"
      subtitle="Where a provider's webhooks enter this workspace: signature verification, then forward, call a connector or store."
      actions={
        canAdmin && (
          <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
            Create webhook route
          </button>
        )
      }
    >
      {created && (
        <section className="panel setup-ingress" aria-labelledby="ingress-title" aria-live="polite">
          <h2 className="panel__title" id="ingress-title">
            Webhook route created: give this URL to {created.provider}
          </h2>
          <p>
            <code className="setup-ingress__url">{ingressUrl(base, created)}</code>
          </p>
          {!base && <p className="muted">This is the path on the webhook ingress; put the ingress's public base URL (its own host, not this console's) in front of it.</p>}
          <button type="button" className="button button--small" onClick={() => setCreated(undefined)}>
            Dismiss
          </button>
        </section>
      )}
      <QueryState isLoading={routes.isLoading} error={routes.error} isEmpty={rows.length === 0} empty="No webhook routes yet.">
        <DataTable<WebhookRoute>
          caption="Webhook routes"
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            { header: 'Provider', render: (r) => r.provider },
            { header: 'Ingress URL', className: 'mono setup-break', render: (r) => ingressUrl(base, r) },
            { header: 'Target', render: (r) => describeTarget(r.target) },
            {
              header: 'Signing secret ref',
              render: (r) => (
                <>
                  {r.signing_secret_ref}
                  {r.previous_signing_secret_ref && (
                    <span className="muted">
                      {' '}
                      (previous {r.previous_signing_secret_ref} until {formatTime(r.previous_secret_expires_at)})
                    </span>
                  )}
                </>
              ),
            },
            { header: 'Account', render: (r) => r.provider_account_id ?? '—' },
            { header: 'Enabled', render: (r) => (r.enabled ? <span className="badge badge--ok">enabled</span> : <span className="badge badge--warn">disabled</span>) },
            {
              header: 'Actions',
              render: (r) =>
                canAdmin ? (
                  <div className="setup-row-actions">
                    <button type="button" className="button button--small" aria-label={`Rotate secret of ${r.provider} route ${r.route_key.slice(0, 8)}`} onClick={() => setDialog({ kind: 'rotate', route: r })}>
                      Rotate secret
                    </button>
                    <button type="button" className="button button--small" onClick={() => setDialog({ kind: 'toggle', route: r })}>
                      {r.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" className="button button--small button--danger" onClick={() => setDialog({ kind: 'delete', route: r })}>
                      Delete
                    </button>
                  </div>
                ) : null,
            },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={routes.data?.next_cursor} />

      {dialog?.kind === 'create' && <CreateRouteDialog workspaceId={workspaceId} onClose={close} onCreated={setCreated} />}
      {dialog?.kind === 'rotate' && <RotateRouteDialog workspaceId={workspaceId} route={dialog.route} onClose={close} />}
      {dialog?.kind === 'toggle' && <ToggleRouteDialog workspaceId={workspaceId} route={dialog.route} onClose={close} />}
      {dialog?.kind === 'delete' && <DeleteRouteDialog workspaceId={workspaceId} route={dialog.route} onClose={close} />}
    </Page>
  );
}

function useRefNames(workspaceId: string): string[] {
  const refs = useSecretRefs(workspaceId, { limit: 200 });
  return refs.data?.data.map((r) => r.name) ?? [];
}

function CreateRouteDialog({ workspaceId, onClose, onCreated }: { workspaceId: string; onClose: () => void; onCreated: (route: WebhookRoute) => void }) {
  const create = useCreateWebhookRoute(workspaceId);
  const refNames = useRefNames(workspaceId);
  const connectors = useConnectors(workspaceId, { limit: 200 });
  const enabledId = useId();
  const [provider, setProvider] = useState<WebhookProvider>('stripe');
  const [signingRef, setSigningRef] = useState('');
  const [accountId, setAccountId] = useState('');
  const [hmac, setHmac] = useState<HmacVerification>({ header_name: '', encoding: 'hex', event_id_path: '$.id', prefix: '' });
  const [targetKind, setTargetKind] = useState<WebhookTarget['kind']>('store');
  const [url, setUrl] = useState('');
  const [connector, setConnector] = useState('');
  const [operation, setOperation] = useState('');
  const [enabled, setEnabled] = useState(true);

  const buildBody = (): CreateWebhookRouteBody => {
    const target: WebhookTarget = targetKind === 'forward' ? { kind: 'forward', url: url.trim() } : targetKind === 'connector' ? { kind: 'connector', connector, operation: operation.trim() } : { kind: 'store' };
    const body: CreateWebhookRouteBody = { provider, signing_secret_ref: signingRef, target, enabled };
    if (accountId.trim()) body.provider_account_id = accountId.trim();
    if (provider === 'hmac-sha256') {
      const { prefix, ...rest } = hmac;
      body.verification = { ...rest, header_name: rest.header_name.trim(), event_id_path: rest.event_id_path.trim(), ...(prefix ? { prefix } : {}) };
    }
    return body;
  };

  return (
    <ReasonDialog
      title="Create webhook route"
      description="The route key (the secret part of the URL) is generated; the ingress URL is shown after creation."
      confirmLabel="Create webhook route"
      onClose={onClose}
      onConfirm={async (reason) => onCreated(await create.mutateAsync({ body: buildBody(), reason }))}
    >
      <SelectField label="Provider" value={provider} onChange={(value) => setProvider(value as WebhookProvider)} options={[...WEBHOOK_PROVIDERS]} hint="stripe and standard-webhooks verify with their fixed scheme; hmac-sha256 needs the fields below." />
      <SelectField label="Signing secret ref" value={signingRef} onChange={setSigningRef} options={refNames} emptyLabel="Choose a secret ref" hint="The secret ref holding the provider's signing secret." />
      <TextField label="Provider account id (optional)" value={accountId} onChange={(e) => setAccountId(e.target.value)} autoComplete="off" hint="Unique per provider across workspaces; the ingress can route by it." />
      {provider === 'hmac-sha256' && (
        <fieldset className="form__field setup-fieldset">
          <legend>HMAC verification</legend>
          <TextField label="Signature header" value={hmac.header_name} onChange={(e) => setHmac({ ...hmac, header_name: e.target.value })} autoComplete="off" hint="e.g. X-Signature" />
          <SelectField label="Encoding" value={hmac.encoding} onChange={(value) => setHmac({ ...hmac, encoding: value === 'base64' ? 'base64' : 'hex' })} options={['hex', 'base64']} />
          <TextField label="Event id path" value={hmac.event_id_path} onChange={(e) => setHmac({ ...hmac, event_id_path: e.target.value })} autoComplete="off" hint="Where the event id is in the body, e.g. $.id or $.data.object.id" />
          <TextField label="Signature prefix (optional)" value={hmac.prefix ?? ''} onChange={(e) => setHmac({ ...hmac, prefix: e.target.value })} autoComplete="off" hint="e.g. sha256=" />
        </fieldset>
      )}
      <SelectField
        label="Target"
        value={targetKind}
        onChange={(value) => setTargetKind(value === 'forward' || value === 'connector' ? value : 'store')}
        options={[
          { value: 'store', label: 'Store (keep in the webhook inbox)' },
          { value: 'forward', label: 'Forward to a URL' },
          { value: 'connector', label: 'Call a connector operation' },
        ]}
      />
      {targetKind === 'forward' && <TextField label="Forward URL" type="url" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" hint="An absolute https URL, without credentials." />}
      {targetKind === 'connector' && (
        <>
          <SelectField label="Connector" value={connector} onChange={setConnector} options={connectors.data?.data.map((c) => c.name) ?? []} emptyLabel="Choose a connector" />
          <TextField label="Operation" value={operation} onChange={(e) => setOperation(e.target.value)} autoComplete="off" hint="An operation the connector offers (its type's, or an http connector's own)." />
        </>
      )}
      <div className="form__field setup-checkbox">
        <input id={enabledId} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <label htmlFor={enabledId}>Enabled</label>
      </div>
    </ReasonDialog>
  );
}

function RotateRouteDialog({ workspaceId, route, onClose }: { workspaceId: string; route: WebhookRoute; onClose: () => void }) {
  const update = useUpdateWebhookRoute(workspaceId);
  const refNames = useRefNames(workspaceId).filter((name) => name !== route.signing_secret_ref);
  const [signingRef, setSigningRef] = useState('');
  const [grace, setGrace] = useState('86400');
  return (
    <ReasonDialog
      title={`Rotate signing secret of the ${route.provider} route`}
      description={`The current ref (${route.signing_secret_ref}) stays accepted during the grace period; the URL does not change.`}
      confirmLabel="Rotate secret"
      onClose={onClose}
      onConfirm={async (reason) => {
        if (!signingRef) throw new Error('Choose the new signing secret ref');
        const graceSeconds = parseInteger(grace);
        if (grace.trim() !== '' && (graceSeconds === undefined || graceSeconds < 0 || graceSeconds > 604800)) throw new Error('Grace period: a whole number of seconds from 0 to 604800');
        await update.mutateAsync({ id: route.id, body: { signing_secret_ref: signingRef, ...(graceSeconds === undefined ? {} : { rotation_grace_seconds: graceSeconds }) }, reason });
      }}
    >
      <SelectField label="New signing secret ref" value={signingRef} onChange={setSigningRef} options={refNames} emptyLabel="Choose a secret ref" hint="Create the ref and set its value on the Secret refs page first." />
      <TextField label="Previous secret accepted for (seconds)" type="number" min={0} max={604800} value={grace} onChange={(e) => setGrace(e.target.value)} hint="0–604800; 0 drops the old secret at once. Default 86400 (one day)." />
    </ReasonDialog>
  );
}

function ToggleRouteDialog({ workspaceId, route, onClose }: { workspaceId: string; route: WebhookRoute; onClose: () => void }) {
  const update = useUpdateWebhookRoute(workspaceId);
  const enable = !route.enabled;
  return (
    <ReasonDialog
      title={`${enable ? 'Enable' : 'Disable'} the ${route.provider} route`}
      description={enable ? 'Webhooks on this route are accepted again.' : 'Webhooks on this route are refused until it is enabled again.'}
      confirmLabel={enable ? 'Enable' : 'Disable'}
      danger={!enable}
      onClose={onClose}
      onConfirm={(reason) => update.mutateAsync({ id: route.id, body: { enabled: enable }, reason })}
    />
  );
}

function DeleteRouteDialog({ workspaceId, route, onClose }: { workspaceId: string; route: WebhookRoute; onClose: () => void }) {
  const remove = useDeleteWebhookRoute(workspaceId);
  return (
    <ReasonDialog
      title={`Delete the ${route.provider} route`}
      description="The provider's webhooks to this URL are refused from now on. A new route gets a new URL."
      confirmLabel="Delete webhook route"
      danger
      onClose={onClose}
      onConfirm={(reason) => remove.mutateAsync({ id: route.id, reason })}
    />
  );
}
