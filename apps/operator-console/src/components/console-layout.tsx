import { NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { useLogout, useSession } from '../hooks/use-session';
import { useWorkspaceOptions } from '../hooks/use-workspaces';
import { NAV_SECTIONS, type NavItem } from '../navigation';
import { AppLayout } from './app-layout';
import { ImpersonationBanner } from './impersonation-banner';

/** Signed-in pages: header with the operator and sign-out, impersonation banner, sidebar (workspace switcher + sections). */
export function ConsoleLayout({ nav }: { nav: NavItem[] }) {
  const { data: session } = useSession();
  const logout = useLogout();
  const navigate = useNavigate();

  const account = session && (
    <div className="account">
      <span className="account__email" title={session.operator.roles.join(', ')}>
        {session.operator.email}
      </span>
      <button type="button" className="button button--small" onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/login') })}>
        Sign out
      </button>
    </div>
  );

  return (
    <AppLayout headerExtra={account}>
      <ImpersonationBanner />
      <div className="console">
        <aside className="sidebar" aria-label="Navigation">
          <WorkspaceSwitcher />
          <SidebarNav nav={nav} />
        </aside>
        <main className="console__main">
          <Outlet />
        </main>
      </div>
    </AppLayout>
  );
}

function WorkspaceSwitcher() {
  const workspaces = useWorkspaceOptions();
  const match = useMatch('/w/:workspaceId/*');
  const navigate = useNavigate();
  const location = useLocation();
  const current = match?.params.workspaceId ?? '';
  const rest = match?.params['*'] ?? '';

  return (
    <div className="form__field workspace-switcher">
      <label htmlFor="workspace-switcher">Workspace</label>
      <select
        id="workspace-switcher"
        value={current}
        onChange={(event) => {
          const id = event.target.value;
          if (!id) return void navigate('/workspaces');
          // Stay on the same kind of page (top-level section) in the other workspace.
          const section = rest.split('/')[0] || 'connectors';
          void navigate(`/w/${id}/${section}`, { state: { from: location.pathname } });
        }}
      >
        <option value="">{workspaces.isLoading ? 'Loading…' : 'Choose a workspace'}</option>
        {workspaces.data?.data.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function SidebarNav({ nav }: { nav: NavItem[] }) {
  const match = useMatch('/w/:workspaceId/*');
  const workspaceId = match?.params.workspaceId;
  return (
    <nav className="sidebar__nav">
      {NAV_SECTIONS.map((section) => {
        const items = nav.filter((item) => item.section === section && (item.scope === 'global' || workspaceId));
        if (items.length === 0) return null;
        return (
          <div key={section} className="sidebar__section">
            <h2 className="sidebar__heading">{section}</h2>
            <ul>
              {items.map((item) => (
                <li key={item.path}>
                  <NavLink className="sidebar__link" to={item.scope === 'workspace' ? `/w/${workspaceId}/${item.path}` : `/${item.path}`}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
