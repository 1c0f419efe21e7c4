import { type ReactNode, useId, useState } from 'react';
import { ReasonDialog } from '../../components/reason-dialog';
import { OPERATE_ROLES, useHasRole, useSession, useStartImpersonation, useStopImpersonation } from '../../hooks/use-session';
import { useWorkspaceOptions } from '../../hooks/use-workspaces';

/** control-api: impersonation sessions last 1–900 s. */
export const IMPERSONATION_MAX_MINUTES = 15;

/** Whether exec-api calls through the BFF run as this workspace right now. */
export function useImpersonating(workspaceId: string): boolean {
  const { data: session } = useSession();
  const impersonation = session?.impersonation;
  return !!impersonation && impersonation.workspace_id === workspaceId && Date.parse(impersonation.expires_at) > Date.now();
}

/**
 * exec-api only takes workspace tokens: the console calls it while the operator impersonates the
 * workspace (the BFF keeps the tokens). Renders `children` then; otherwise a panel to start it.
 */
export function ImpersonationGate({ workspaceId, purpose, children }: { workspaceId: string; purpose: string; children: ReactNode }) {
  const active = useImpersonating(workspaceId);
  if (active) return <>{children}</>;
  return <ActAsWorkspacePanel workspaceId={workspaceId} purpose={purpose} />;
}

function ActAsWorkspacePanel({ workspaceId, purpose }: { workspaceId: string; purpose: string }) {
  const { data: session } = useSession();
  const workspaces = useWorkspaceOptions();
  const canImpersonate = useHasRole(...OPERATE_ROLES);
  const [open, setOpen] = useState(false);
  const other = session?.impersonation && session.impersonation.workspace_id !== workspaceId && Date.parse(session.impersonation.expires_at) > Date.now() ? session.impersonation : undefined;
  const nameOf = (id: string) => workspaces.data?.data.find((w) => w.id === id)?.name ?? id;

  return (
    <section className="panel gate" aria-label="Act as this workspace">
      <h2 className="panel__title">Act as this workspace</h2>
      <p>
        To {purpose}, the console calls exec-api as workspace <strong>{nameOf(workspaceId)}</strong>. Start an impersonation of at most {IMPERSONATION_MAX_MINUTES} minutes; it is audited
        with your reason and a banner shows it while it runs.
      </p>
      {other && (
        <p className="notice">
          You are impersonating workspace <strong>{nameOf(other.workspace_id)}</strong>: starting here stops that one first.
        </p>
      )}
      {canImpersonate ? (
        <button type="button" className="button button--primary" onClick={() => setOpen(true)}>
          Act as this workspace
        </button>
      ) : (
        <p className="muted">Your role cannot impersonate a workspace (OperatorAdmin, Support or BreakGlassAdmin can).</p>
      )}
      {open && <StartImpersonationDialog workspaceId={workspaceId} workspaceName={nameOf(workspaceId)} stopFirst={!!other} onClose={() => setOpen(false)} />}
    </section>
  );
}

/** The reason + TTL dialog that starts an impersonation (stopping another one first when asked). */
export function StartImpersonationDialog({ workspaceId, workspaceName, stopFirst, onClose }: { workspaceId: string; workspaceName: string; stopFirst?: boolean; onClose: () => void }) {
  const start = useStartImpersonation();
  const stop = useStopImpersonation();
  const ttlId = useId();
  const [minutes, setMinutes] = useState(IMPERSONATION_MAX_MINUTES);
  const ttlMinutes = Math.min(IMPERSONATION_MAX_MINUTES, Math.max(1, Math.round(Number.isFinite(minutes) ? minutes : IMPERSONATION_MAX_MINUTES)));
  return (
    <ReasonDialog
      title={`Act as workspace ${workspaceName}`}
      description="exec-api calls from the console (playground, live events, cancel) run as this workspace until the impersonation ends."
      confirmLabel="Start impersonating"
      onConfirm={async (reason) => {
        if (stopFirst) await stop.mutateAsync(reason);
        return start.mutateAsync({ workspace_id: workspaceId, ttl_seconds: ttlMinutes * 60, reason });
      }}
      onClose={onClose}
    >
      <div className="form__field">
        <label htmlFor={ttlId}>Duration (minutes, at most {IMPERSONATION_MAX_MINUTES})</label>
        <input id={ttlId} type="number" min={1} max={IMPERSONATION_MAX_MINUTES} step={1} value={Number.isFinite(minutes) ? minutes : ''} onChange={(event) => setMinutes(event.target.valueAsNumber)} />
      </div>
    </ReasonDialog>
  );
}
