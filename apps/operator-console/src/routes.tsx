import { Navigate, type RouteObject } from 'react-router';
import { AppLayout } from './components/app-layout';
import { ConsoleLayout } from './components/console-layout';
import { RequireSession } from './components/require-session';
import type { ConsoleArea } from './navigation';
import { operationsArea } from './pages/operations/area';
import { setupArea } from './pages/setup/area';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';

export const AREAS: ConsoleArea[] = [setupArea, operationsArea];

/** The console's pages. `/login` is public; everything else needs a session. */
export function consoleRoutes(areas: ConsoleArea[] = AREAS): RouteObject[] {
  const nav = areas.flatMap((area) => area.nav);
  return [
    {
      path: '/login',
      element: (
        <AppLayout>
          <main className="app-main">
            <LoginPage />
          </main>
        </AppLayout>
      ),
    },
    {
      path: '/',
      element: (
        <RequireSession>
          <ConsoleLayout nav={nav} />
        </RequireSession>
      ),
      children: [
        { index: true, element: <Navigate to="/workspaces" replace /> },
        ...areas.flatMap((area) => area.globalRoutes),
        {
          path: 'w/:workspaceId',
          children: [{ index: true, element: <Navigate to="connectors" replace /> }, ...areas.flatMap((area) => area.workspaceRoutes)],
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ];
}
