import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ConfigVersion } from '../../api/configs';
import { DataTable } from '../../components/data-table';
import { JsonDiff } from '../../components/json-diff';
import { JsonView } from '../../components/json-view';
import { Page } from '../../components/page';
import { Pager, useCursorPager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { useActivateConfig, useConfigs, useConfigVersions, useRollbackConfig } from '../../hooks/use-configs';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { CreateConfigVersionDialog } from './configs-page';
import { formatTime, useCanAdmin } from './shared';

type Dialog = { kind: 'create' } | { kind: 'activate'; version: string } | { kind: 'rollback' };

/** `configs/:name`: versions, view, compare two, create, activate, roll back. */
export function ConfigDetailPage() {
  const workspaceId = useWorkspaceId();
  const { name = '' } = useParams();
  const pager = useCursorPager();
  const versions = useConfigVersions(workspaceId, name, { cursor: pager.cursor });
  const summaries = useConfigs(workspaceId, { limit: 200 });
  const summary = summaries.data?.data.find((c) => c.name === name);
  const canAdmin = useCanAdmin();
  const activate = useActivateConfig(workspaceId, name);
  const rollback = useRollbackConfig(workspaceId, name);
  const [viewing, setViewing] = useState<string | undefined>(undefined);
  const [compare, setCompare] = useState<string[]>([]);
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const rows = versions.data?.data ?? [];
  const activeVersion = summary?.active_version ?? null;
  const shown = rows.find((v) => v.version === viewing);
  const close = () => setDialog(undefined);

  // Compare: the older of the two (further down the newest-first list) is "before".
  const compared = compare.map((v) => rows.find((row) => row.version === v)).filter((v): v is ConfigVersion => !!v);
  const [before, after] = compared.length === 2 ? [...compared].sort((a, b) => rows.indexOf(b) - rows.indexOf(a)) : [undefined, undefined];

  const toggleCompare = (version: string, on: boolean) => setCompare((current) => (on ? [...current.filter((v) => v !== version), version].slice(-2) : current.filter((v) => v !== version)));

  return (
    <Page
      title={`Config ${name}`}
      subtitle={
        <>
          <Link to=".." relative="path">
            Back to configs
          </Link>{' '}
          · active version: <strong>{activeVersion ?? 'none'}</strong>
          {summary?.previous_version ? ` · rollback target: ${summary.previous_version}` : ''}
        </>
      }
      actions={
        canAdmin && (
          <>
            <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
              Create version
            </button>
            <button type="button" className="button" onClick={() => setDialog({ kind: 'rollback' })} disabled={!summary?.previous_version} title={summary?.previous_version ? undefined : 'No previous version to roll back to'}>
              Roll back
            </button>
          </>
        )
      }
    >
      {notice && (
        <p className="notice notice--ok" role="status">
          {notice}
        </p>
      )}
      <QueryState isLoading={versions.isLoading} error={versions.error} isEmpty={rows.length === 0} empty="This config has no versions.">
        <DataTable<ConfigVersion>
          caption="Versions"
          rows={rows}
          rowKey={(v) => v.version}
          columns={[
            {
              header: 'Version',
              render: (v) => (
                <>
                  {v.version} {v.version === activeVersion && <span className="badge badge--ok">active</span>}
                </>
              ),
            },
            { header: 'Created', render: (v) => formatTime(v.created_at) },
            { header: 'Checksum', className: 'mono', render: (v) => <span title={v.checksum}>{v.checksum.slice(0, 12)}</span> },
            {
              header: 'Compare',
              render: (v) => (
                <input type="checkbox" aria-label={`Compare ${v.version}`} checked={compare.includes(v.version)} onChange={(e) => toggleCompare(v.version, e.target.checked)} />
              ),
            },
            {
              header: 'Actions',
              render: (v) => (
                <div className="setup-row-actions">
                  <button type="button" className="button button--small" aria-label={`View ${v.version}`} aria-pressed={viewing === v.version} onClick={() => setViewing(viewing === v.version ? undefined : v.version)}>
                    View
                  </button>
                  {canAdmin && v.version !== activeVersion && (
                    <button type="button" className="button button--small" aria-label={`Activate ${v.version}`} onClick={() => setDialog({ kind: 'activate', version: v.version })}>
                      Activate
                    </button>
                  )}
                </div>
              ),
            },
          ]}
        />
      </QueryState>
      <Pager pager={pager} nextCursor={versions.data?.next_cursor} />

      {shown && (
        <section className="panel" aria-labelledby="config-view-title">
          <h2 className="panel__title" id="config-view-title">
            Version {shown.version}
          </h2>
          <p className="muted">
            Created {formatTime(shown.created_at)} by <code>{shown.created_by}</code> · checksum <code>{shown.checksum}</code>
          </p>
          <JsonView value={shown.data} label={`Data of version ${shown.version}`} />
        </section>
      )}

      <section className="panel" aria-labelledby="config-compare-title">
        <h2 className="panel__title" id="config-compare-title">
          Compare
        </h2>
        {before && after ? (
          <>
            <p className="muted">
              From <strong>{before.version}</strong> to <strong>{after.version}</strong>
            </p>
            <JsonDiff before={before.data} after={after.data} label={`Changes from ${before.version} to ${after.version}`} />
          </>
        ) : (
          <p className="muted">Tick two versions in the Compare column to see what changed between them.</p>
        )}
      </section>

      {dialog?.kind === 'create' && (
        <CreateConfigVersionDialog workspaceId={workspaceId} fixedName={name} initialData={rows[0]?.data ?? {}} onClose={close} onCreated={() => setNotice('Version created.')} />
      )}
      {dialog?.kind === 'activate' && (
        <ReasonDialog
          title={`Activate ${name} ${dialog.version}`}
          description={`Readers get ${dialog.version} from now on; the current active version (${activeVersion ?? 'none'}) becomes the rollback target.`}
          confirmLabel="Activate"
          onClose={close}
          onConfirm={async (reason) => {
            const result = await activate.mutateAsync({ version: dialog.version, reason });
            setNotice(`Version ${result.active.version} is active.`);
          }}
        />
      )}
      {dialog?.kind === 'rollback' && (
        <ReasonDialog
          title={`Roll back ${name}`}
          description={`Makes ${summary?.previous_version ?? 'the previous version'} active again. A second rollback in a row is refused.`}
          confirmLabel="Roll back"
          danger
          onClose={close}
          onConfirm={async (reason) => {
            const result = await rollback.mutateAsync(reason);
            setNotice(`Rolled back: version ${result.active.version} is active.`);
          }}
        />
      )}
    </Page>
  );
}
