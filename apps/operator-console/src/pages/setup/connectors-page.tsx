import { Link, useNavigate } from 'react-router';
import type { Connector } from '../../api/connectors';
import { DataTable } from '../../components/data-table';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useConnectors } from '../../hooks/use-connectors';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { formatTime, useCanAdmin } from './shared';

export function ConnectorsPage() {
  const workspaceId = useWorkspaceId();
  const pager = useCursorPager();
  const connectors = useConnectors(workspaceId, { cursor: pager.cursor });
  const canAdmin = useCanAdmin();
  const navigate = useNavigate();
  const rows = connectors.data?.data ?? [];
  return (
    <Page
      title="Connectors"
      subtitle="Upstream APIs this workspace calls, each with a type, a config and a reliability policy."
      actions={
        canAdmin && (
          <Link className="button button--primary" to="new">
            Create connector
          </Link>
        )
      }
    >
      <QueryState isLoading={connectors.isLoading} error={connectors.error} isEmpty={rows.length === 0} empty="No connectors yet.">
        <DataTable<Connector>
          caption="Connectors"
          rows={rows}
          rowKey={(c) => c.id}
          onRowClick={(c) => void navigate(encodeURIComponent(c.name))}
          columns={[
            { header: 'Name', render: (c) => <Link to={encodeURIComponent(c.name)}>{c.name}</Link> },
            { header: 'Type', render: (c) => c.type },
            { header: 'Policy', render: (c) => c.policy },
            { header: 'Secret refs', render: (c) => Object.values(c.secret_refs ?? {}).join(', ') || '—' },
            { header: 'Updated', render: (c) => formatTime(c.updated_at) },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={connectors.data?.next_cursor} />
    </Page>
  );
}
