import type { ReactNode } from 'react';
import { StatusBadge } from './status-badge';

export const PRODUCT_NAME = 'Orchestrator console';

export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <div className="app">
      <header className="app-header">
        <a className="app-header__brand" href="/">
          <img className="app-header__logo" src="/favicon.svg" alt="" width="28" height="28" />
          <span>{PRODUCT_NAME}</span>
        </a>
        <StatusBadge />
      </header>
      <main className="app-main">{children}</main>
      <footer className="app-footer">Orchestrator · operator console</footer>
    </div>
  );
}
