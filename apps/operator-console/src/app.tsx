import { useEffect } from 'react';
import { AppLayout } from './components/app-layout';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { routeFor } from './routes';

export function App({ pathname }: { pathname: string }) {
  const { route, canonicalPath } = routeFor(pathname);

  useEffect(() => {
    if (canonicalPath) window.history.replaceState(null, '', canonicalPath);
  }, [canonicalPath]);

  return <AppLayout>{route === 'login' ? <LoginPage /> : <NotFoundPage />}</AppLayout>;
}
