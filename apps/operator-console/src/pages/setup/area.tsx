import type { ConsoleArea } from '../../navigation';
import { ConfigDetailPage } from './config-detail-page';
import { ConfigsPage } from './configs-page';
import { ConnectorEditPage } from './connector-edit-page';
import { ConnectorsPage } from './connectors-page';
import { IdentitiesPage } from './identities-page';
import { PoliciesPage, PolicyEditPage } from './policies-page';
import { SecretRefsPage } from './secret-refs-page';
import { WebhookRoutesPage } from './webhook-routes-page';
import { WorkspaceSettingsPage } from './workspace-settings-page';
import { WorkspacesPage } from './workspaces-page';

/** Workspaces and their integration setup: connectors, policies, secrets, configs, identities, webhook routes. */
export const setupArea: ConsoleArea = {
  globalRoutes: [{ path: 'workspaces', element: <WorkspacesPage /> }],
  workspaceRoutes: [
    { path: 'settings', element: <WorkspaceSettingsPage /> },
    { path: 'connectors', element: <ConnectorsPage /> },
    { path: 'connectors/new', element: <ConnectorEditPage /> },
    { path: 'connectors/:name', element: <ConnectorEditPage /> },
    { path: 'policies', element: <PoliciesPage /> },
    { path: 'policies/new', element: <PolicyEditPage /> },
    { path: 'policies/:name', element: <PolicyEditPage /> },
    { path: 'secret-refs', element: <SecretRefsPage /> },
    { path: 'configs', element: <ConfigsPage /> },
    { path: 'configs/:name', element: <ConfigDetailPage /> },
    { path: 'identities', element: <IdentitiesPage /> },
    { path: 'webhook-routes', element: <WebhookRoutesPage /> },
  ],
  nav: [
    { label: 'Workspaces', path: 'workspaces', scope: 'global', section: 'Workspace' },
    { label: 'Settings', path: 'settings', scope: 'workspace', section: 'Workspace' },
    { label: 'Connectors', path: 'connectors', scope: 'workspace', section: 'Integrations' },
    { label: 'Policies', path: 'policies', scope: 'workspace', section: 'Integrations' },
    { label: 'Secret refs', path: 'secret-refs', scope: 'workspace', section: 'Integrations' },
    { label: 'Configs', path: 'configs', scope: 'workspace', section: 'Integrations' },
    { label: 'Webhook routes', path: 'webhook-routes', scope: 'workspace', section: 'Integrations' },
    { label: 'Service identities', path: 'identities', scope: 'workspace', section: 'Governance' },
  ],
};
