import type { RouteObject } from 'react-router';

/** One entry of the sidebar. `workspace` entries live under `/w/:workspaceId/<path>`. */
export interface NavItem {
  label: string;
  path: string;
  scope: 'workspace' | 'global';
  section: 'Workspace' | 'Integrations' | 'Operations' | 'Governance';
}

/** What a feature area contributes: its routes (relative paths) and its sidebar entries. */
export interface ConsoleArea {
  /** Under `/` (e.g. `workspaces`, `audit`). */
  globalRoutes: RouteObject[];
  /** Under `/w/:workspaceId/` (e.g. `connectors`, `jobs/:jobId`). */
  workspaceRoutes: RouteObject[];
  nav: NavItem[];
}

export const NAV_SECTIONS: NavItem['section'][] = ['Workspace', 'Integrations', 'Operations', 'Governance'];
