import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ConfigSummary } from '../../api/configs';
import { DataTable } from '../../components/data-table';
import { JsonEditor } from '../../components/json-editor';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useConfigs, useCreateConfigVersion } from '../../hooks/use-configs';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, TextField, useCanAdmin } from './shared';

export function ConfigsPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const configs = useConfigs(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const rows = configs.data?.data ?? [];
  return (
    <Page
      title="Configs"
      subtitle="Versioned JSON configs: versions are immutable; one is active; roll back to the previous one."
      actions={
        canAdmin && (
          <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
            Create config
          </button>
        )
      }
    >
      <QueryState isLoading={configs.isLoading} error={configs.error} isEmpty={rows.length === 0} empty="No configs yet.">
        <DataTable<ConfigSummary>
          caption="Configs"
          rows={rows}
          rowKey={(c) => c.name}
          onRowClick={(c) => void navigate(encodeURIComponent(c.name))}
          columns={[
            { header: 'Name', render: (c) => <Link to={encodeURIComponent(c.name)}>{c.name}</Link> },
            { header: 'Active version', render: (c) => c.active_version ?? <span className="muted">none</span> },
            { header: 'Previous version', render: (c) => c.previous_version ?? '—' },
            { header: 'Versions', render: (c) => String(c.version_count) },
            { header: 'Latest', render: (c) => formatTime(c.latest_created_at) },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={configs.data?.next_cursor} />
      {creating && <CreateConfigVersionDialog workspaceId={workspaceId} onClose={() => setCreating(false)} onCreated={(name) => void navigate(encodeURIComponent(name))} />}
    </Page>
  );
}

/** A new immutable version: of a new config (name field) or of `fixedName`. */
export function CreateConfigVersionDialog({ workspaceId, fixedName, initialData, onClose, onCreated }: { workspaceId: string; fixedName?: string; initialData?: unknown; onClose: () => void; onCreated?: (name: string) => void }) {
  const create = useCreateConfigVersion(workspaceId);
  const [name, setName] = useState(fixedName ?? '');
  const [version, setVersion] = useState('');
  const [data, setData] = useState<unknown>(initialData ?? {});
  const [jsonError, setJsonError] = useState<string | undefined>(undefined);
  const [activate, setActivate] = useState(false);
  const activateId = useId();
  return (
    <ReasonDialog
      title={fixedName ? `Create version of ${fixedName}` : 'Create config'}
      description="Versions are immutable once created."
      confirmLabel="Create version"
      onClose={onClose}
      onConfirm={async (reason) => {
        if (jsonError) throw new Error(`Data: ${jsonError}`);
        const created = await create.mutateAsync({ name: name.trim(), ...(version.trim() ? { version: version.trim() } : {}), data: data as Record<string, unknown>, activate, reason });
        onCreated?.(created.name);
      }}
    >
      {!fixedName && <TextField label="Config name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required hint="Lowercase letters, digits, . _ - (e.g. pricing)." />}
      <TextField label="Version (optional)" value={version} onChange={(e) => setVersion(e.target.value)} autoComplete="off" hint="Default: v<N+1> after the highest v<N>." />
      <JsonEditor label="Data (JSON object)" value={data} onChange={setData} onValidityChange={setJsonError} rows={8} />
      <div className="form__field setup-checkbox">
        <input id={activateId} type="checkbox" checked={activate} onChange={(e) => setActivate(e.target.checked)} />
        <label htmlFor={activateId}>Activate this version now</label>
      </div>
    </ReasonDialog>
  );
}
