import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import type { Workspace } from '../../api/workspaces';
import { useCreateWorkspace, useWorkspacePage } from '../../hooks/use-workspaces';
import { formatTime, TextField, useCanAdmin } from './shared';

/** Every workspace of this deployment; create one. */
export function WorkspacesPage() {
  const pager = useCursorPager();
  const workspaces = useWorkspacePage(pager.cursor);
  const canAdmin = useCanAdmin();
  const [creating, setCreating] = useState(false);
  const rows = workspaces.data?.data ?? [];

  return (
    <Page
      title="Workspaces"
      subtitle="Each product environment is a workspace with its own connectors, policies, secrets and quotas."
      actions={
        canAdmin && (
          <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
            Create workspace
          </button>
        )
      }
    >
      <QueryState isLoading={workspaces.isLoading} error={workspaces.error} isEmpty={rows.length === 0} empty="No workspaces yet.">
        <DataTable<Workspace>
          caption="Workspaces"
          rows={rows}
          rowKey={(w) => w.id}
          columns={[
            { header: 'Name', render: (w) => <Link to={`/w/${w.id}/connectors`}>{w.name}</Link> },
            { header: 'Status', render: (w) => w.status ?? '—' },
            { header: 'Created', render: (w) => formatTime(w.created_at) },
            { header: 'Id', className: 'mono', render: (w) => w.id },
            { header: 'Settings', render: (w) => <Link to={`/w/${w.id}/settings`} aria-label={`Settings of ${w.name}`}>Settings</Link> },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={workspaces.data?.next_cursor} />
      {creating && <CreateWorkspaceDialog onClose={() => setCreating(false)} />}
    </Page>
  );
}

function CreateWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateWorkspace();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  return (
    <ReasonDialog
      title="Create workspace"
      description="A workspace is created with its default policy. Its name cannot change later."
      confirmLabel="Create workspace"
      onClose={onClose}
      onConfirm={async (reason) => {
        const workspace = await create.mutateAsync({ name: name.trim(), reason });
        void navigate(`/w/${workspace.id}/settings`);
      }}
    >
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" hint="Lowercase words joined by hyphens, ending with this deployment's suffix (e.g. acme-dev)." />
    </ReasonDialog>
  );
}
