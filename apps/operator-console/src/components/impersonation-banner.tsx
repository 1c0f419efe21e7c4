import { useState } from 'react';
import { useSession, useStopImpersonation } from '../hooks/use-session';
import { useWorkspaceOptions } from '../hooks/use-workspaces';
import { ReasonDialog } from './reason-dialog';

/** Shown on every page while the operator acts as a workspace; stopping it asks for a reason. */
export function ImpersonationBanner() {
  const { data: session } = useSession();
  const workspaces = useWorkspaceOptions();
  const stop = useStopImpersonation();
  const [confirming, setConfirming] = useState(false);
  const impersonation = session?.impersonation;
  if (!impersonation) return null;
  const name = workspaces.data?.data.find((w) => w.id === impersonation.workspace_id)?.name ?? impersonation.workspace_id;
  const until = new Date(impersonation.expires_at).toLocaleTimeString();
  return (
    <div className="impersonation-banner" role="status" aria-live="polite">
      <span>
        Impersonating workspace <strong>{name}</strong> until {until}. Calls to exec-api run as this workspace.
      </span>
      <button type="button" className="button button--small" onClick={() => setConfirming(true)}>
        Stop impersonating
      </button>
      {confirming && <ReasonDialog title="Stop impersonating" confirmLabel="Stop" onConfirm={(reason) => stop.mutateAsync(reason)} onClose={() => setConfirming(false)} />}
    </div>
  );
}
