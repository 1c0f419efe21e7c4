import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../hooks/use-session';
import { ErrorNotice } from './error-notice';

/** Pages behind sign-in: no session → /login (and back here after). */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isLoading) return <p className="muted" role="status">Loading…</p>;
  if (session.error) return <ErrorNotice error={session.error} title="The console server could not be reached" />;
  if (!session.data) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}
