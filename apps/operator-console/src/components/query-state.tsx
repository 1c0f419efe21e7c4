import type { ReactNode } from 'react';
import { ErrorNotice } from './error-notice';

/** Loading, error and empty states of a query, so every page shows them the same way. */
export function QueryState({ isLoading, error, isEmpty, empty, children }: { isLoading: boolean; error: unknown; isEmpty?: boolean; empty?: ReactNode; children: ReactNode }) {
  if (isLoading) return <p className="muted" role="status">Loading…</p>;
  if (error) return <ErrorNotice error={error} />;
  if (isEmpty) return <p className="empty-state">{empty ?? 'Nothing here yet.'}</p>;
  return <>{children}</>;
}
