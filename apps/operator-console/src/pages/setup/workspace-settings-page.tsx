import type { RJSFSchema } from '@rjsf/utils';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import type { WorkspaceSettings } from '../../api/workspaces';
import { SchemaForm } from '../../forms/schema-form';
import { useSecretRefs } from '../../hooks/use-secret-refs';
import { useHasRole } from '../../hooks/use-session';
import { useUpdateWorkspace, useWorkspace, useWorkspaceId } from '../../hooks/use-workspaces';
import { SelectField } from './shared';

/** Bounds of apps/control-api/src/workspaces/dto/workspace-settings.dto.ts (SETTINGS_LIMITS). */
export const WORKSPACE_SETTINGS_SCHEMA: RJSFSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    quotas: {
      type: 'object',
      title: 'Quotas',
      additionalProperties: false,
      properties: {
        rps: { type: 'integer', title: 'Requests per second', description: 'Requests per second accepted by exec-api', minimum: 1, maximum: 100000 },
        concurrency: { type: 'integer', title: 'Concurrent executions', description: 'Executions running at once', minimum: 1, maximum: 10000 },
        queue_depth: { type: 'integer', title: 'Queue depth', description: 'Jobs queued and not yet finished', minimum: 1, maximum: 10000000 },
      },
    },
    retention_days: { type: 'integer', title: 'Retention (days)', description: 'How long events and records are kept', minimum: 1, maximum: 3650 },
  },
};

/** Roles of the `workspaces.update` access rule. */
const SETTINGS_ROLES = ['OperatorAdmin', 'BillingAdmin', 'BreakGlassAdmin'];

export function WorkspaceSettingsPage() {
  const workspaceId = useWorkspaceId();
  const workspace = useWorkspace(workspaceId);
  const canEdit = useHasRole(...SETTINGS_ROLES);
  const refs = useSecretRefs(workspaceId, { limit: 200 });
  const update = useUpdateWorkspace(workspaceId);
  const [draft, setDraft] = useState<WorkspaceSettings | undefined>(undefined);
  const [callbackRef, setCallbackRef] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState<{ settings: WorkspaceSettings; callback_secret_ref: string | null } | undefined>(undefined);
  const [saved, setSaved] = useState(false);

  const data = workspace.data;
  const currentRef = callbackRef ?? data?.callback_secret_ref ?? '';
  const refOptions = [...new Set([...(refs.data?.data.map((ref) => ref.name) ?? []), ...(data?.callback_secret_ref ? [data.callback_secret_ref] : [])])];

  return (
    <Page title="Workspace settings" subtitle={data ? `${data.name} · ${data.status}` : undefined}>
      <QueryState isLoading={workspace.isLoading} error={workspace.error}>
        {data && (
          <>
            <dl className="setup-facts">
              <dt>Name</dt>
              <dd>{data.name}</dd>
              <dt>Id</dt>
              <dd className="mono">{data.id}</dd>
              <dt>Status</dt>
              <dd>{data.status}</dd>
            </dl>
            <section className="panel" aria-labelledby="settings-title">
              <h2 className="panel__title" id="settings-title">
                Quotas and retention
              </h2>
              {saved && (
                <p className="notice notice--ok" role="status">
                  Settings saved.
                </p>
              )}
              <SchemaForm<WorkspaceSettings>
                schema={WORKSPACE_SETTINGS_SCHEMA}
                formData={draft ?? data.settings}
                idPrefix="settings"
                disabled={!canEdit}
                serverError={update.error}
                pathPrefix="/settings"
                onChange={(value) => {
                  setDraft(value);
                  setSaved(false);
                }}
                onSubmit={(value) => setPending({ settings: value, callback_secret_ref: currentRef === '' ? null : currentRef })}
              >
                <SelectField
                  label="Callback signing secret ref"
                  value={currentRef}
                  onChange={(value) => {
                    setCallbackRef(value);
                    setSaved(false);
                  }}
                  options={refOptions}
                  emptyLabel="None (job callbacks fail until one is set)"
                  disabled={!canEdit}
                  hint="A secret ref whose value (a whsec_… key) signs job callbacks. Rotate by setting a new value of that secret."
                />
                {canEdit && (
                  <button type="submit" className="button button--primary">
                    Save settings
                  </button>
                )}
              </SchemaForm>
              {!canEdit && <p className="muted">Your role can view these settings but not change them.</p>}
            </section>
          </>
        )}
      </QueryState>
      {pending && data && (
        <ReasonDialog
          title="Save workspace settings"
          confirmLabel="Save settings"
          onClose={() => setPending(undefined)}
          onConfirm={async (reason) => {
            const body: { settings: WorkspaceSettings; callback_secret_ref?: string | null; reason: string } = { settings: pending.settings, reason };
            if (pending.callback_secret_ref !== data.callback_secret_ref) body.callback_secret_ref = pending.callback_secret_ref;
            await update.mutateAsync(body);
            setDraft(undefined);
            setCallbackRef(undefined);
            setSaved(true);
          }}
        />
      )}
      {update.error && !pending ? <ErrorNotice error={update.error} title="The settings were not saved" /> : null}
    </Page>
  );
}
