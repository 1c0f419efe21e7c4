import type { ReactNode } from 'react';
import { StatusBadge } from './status-badge';

export const PRODUCT_NAME = 'Orchestrator console';

/** The frame of every page: header with the product name and upstream status, then the content. */
export function AppLayout({ children, headerExtra }: { children: ReactNode; headerExtra?: ReactNode }) {
  return (
    <div className="app">
      <header className="app-header">
        <a className="app-header__brand" href="/">
          <img className="app-header__logo" src="/favicon.svg" alt="" width="28" height="28" />
          <span>{PRODUCT_NAME}</span>
        </a>
        <div className="app-header__right">
          <StatusBadge />
          {headerExtra}
        </div>
      </header>
      {children}
      <footer className="app-footer">Orchestrator · operator console</footer>
    </div>
  );
}
