import { useId, useState } from 'react';
import { Link } from 'react-router';
import { BREAK_GLASS_MAX_MINUTES } from '../../api/break-glass';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { ReasonDialog } from '../../components/reason-dialog';
import { useActivateBreakGlass, useLastBreakGlassActivation, useOperatorMe } from '../../hooks/use-break-glass';
import { OPERATE_ROLES, useHasRole, useSession, useStopImpersonation } from '../../hooks/use-session';
import { useWorkspaceOptions } from '../../hooks/use-workspaces';
import { formatTime } from './format';
import { IMPERSONATION_MAX_MINUTES, StartImpersonationDialog } from './impersonation-gate';

/** Elevated access: acting as a workspace (impersonation) and break-glass activation. */
export function AccessPage() {
  return (
    <Page title="Access" subtitle="Act as a workspace for exec-api calls, or activate break-glass. Both are time-limited and audited with your reason.">
      <ImpersonationPanel />
      <BreakGlassPanel />
    </Page>
  );
}

function ImpersonationPanel() {
  const { data: session } = useSession();
  const workspaces = useWorkspaceOptions();
  const stop = useStopImpersonation();
  const canImpersonate = useHasRole(...OPERATE_ROLES);
  const workspaceFieldId = useId();
  const [workspaceId, setWorkspaceId] = useState('');
  const [starting, setStarting] = useState(false);
  const [stopping, setStopping] = useState(false);
  const impersonation = session?.impersonation && Date.parse(session.impersonation.expires_at) > Date.now() ? session.impersonation : undefined;
  const nameOf = (id: string) => workspaces.data?.data.find((w) => w.id === id)?.name ?? id;

  return (
    <section className="panel" aria-label="Impersonation">
      <h2 className="panel__title">Impersonation</h2>
      <p className="muted">
        exec-api only takes workspace tokens: while you impersonate a workspace (at most {IMPERSONATION_MAX_MINUTES} minutes) the console's playground, live events and job cancel run as that
        workspace. control-api records every change made meanwhile with you as the impersonator.
      </p>
      {impersonation ? (
        <div className="access-state" role="status">
          <p>
            Impersonating workspace <strong>{nameOf(impersonation.workspace_id)}</strong> until <strong>{formatTime(impersonation.expires_at)}</strong>.{' '}
            <Link to={`/w/${impersonation.workspace_id}/playground`}>Open its playground</Link>
          </p>
          <button type="button" className="button" onClick={() => setStopping(true)}>
            Stop impersonating
          </button>
        </div>
      ) : (
        <p role="status">Not impersonating any workspace.</p>
      )}
      {canImpersonate ? (
        <form
          className="form__row"
          onSubmit={(event) => {
            event.preventDefault();
            if (workspaceId) setStarting(true);
          }}
        >
          <div className="form__field">
            <label htmlFor={workspaceFieldId}>Workspace to act as</label>
            <select id={workspaceFieldId} value={workspaceId} onChange={(event) => setWorkspaceId(event.target.value)}>
              <option value="">Choose a workspace</option>
              {workspaces.data?.data.map((workspace) => (
                <option key={workspace.id} value={workspace.id}>
                  {workspace.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button--primary" disabled={!workspaceId}>
            Start impersonating
          </button>
        </form>
      ) : (
        <p className="muted">Your role cannot impersonate a workspace (OperatorAdmin, Support or BreakGlassAdmin can).</p>
      )}
      {starting && workspaceId && <StartImpersonationDialog workspaceId={workspaceId} workspaceName={nameOf(workspaceId)} stopFirst={!!impersonation} onClose={() => setStarting(false)} />}
      {stopping && <ReasonDialog title="Stop impersonating" confirmLabel="Stop" onConfirm={(reason) => stop.mutateAsync(reason)} onClose={() => setStopping(false)} />}
    </section>
  );
}

function BreakGlassPanel() {
  const isBreakGlassAdmin = useHasRole('BreakGlassAdmin');
  const me = useOperatorMe(isBreakGlassAdmin);
  const last = useLastBreakGlassActivation();
  const activate = useActivateBreakGlass();
  const ttlId = useId();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState(BREAK_GLASS_MAX_MINUTES);
  const ttlMinutes = Math.min(BREAK_GLASS_MAX_MINUTES, Math.max(1, Number.isFinite(minutes) ? Math.round(minutes) : BREAK_GLASS_MAX_MINUTES));
  const activation = last.data && Date.parse(last.data.expires_at) > Date.now() ? last.data : undefined;

  return (
    <section className="panel" aria-label="Break-glass">
      <h2 className="panel__title">Break-glass</h2>
      {!isBreakGlassAdmin ? (
        <p className="muted">Break-glass is for BreakGlassAdmin operators: an inert role until activated with a reason, then OperatorAdmin powers for at most an hour, every request audited.</p>
      ) : (
        <>
          <p className="muted">
            Activation grants your BreakGlassAdmin role its powers for at most {BREAK_GLASS_MAX_MINUTES} minutes. It is audited before it takes effect and cannot be ended early; every request it
            allows is audited too.
          </p>
          <ErrorNotice error={me.error} />
          <p role="status">
            {activation ? (
              <>
                Break-glass <strong>active</strong> until <strong>{formatTime(activation.expires_at)}</strong>.
              </>
            ) : me.data?.break_glass_active ? (
              <>
                Break-glass <strong>active</strong>.
              </>
            ) : (
              'Break-glass is not active.'
            )}
          </p>
          <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
            {activation || me.data?.break_glass_active ? 'Activate again' : 'Activate break-glass'}
          </button>
        </>
      )}
      {open && (
        <ReasonDialog
          title="Activate break-glass"
          description="Say what emergency needs it: the reason is written to the audit log before the powers are granted."
          confirmLabel="Activate"
          danger
          onConfirm={(reason) => activate.mutateAsync({ ttlSeconds: ttlMinutes * 60, reason })}
          onClose={() => setOpen(false)}
        >
          <div className="form__field">
            <label htmlFor={ttlId}>Duration (minutes, at most {BREAK_GLASS_MAX_MINUTES})</label>
            <input id={ttlId} type="number" min={1} max={BREAK_GLASS_MAX_MINUTES} value={Number.isFinite(minutes) ? minutes : ''} onChange={(event) => setMinutes(event.target.valueAsNumber)} />
          </div>
        </ReasonDialog>
      )}
    </section>
  );
}
