export type Route = 'login' | 'not-found';

/**
 * The console's pages by path. Until there is more than a sign-in page this is a lookup, not
 * a router; the router arrives with the pages that need one. `/` leads to sign-in.
 */
export function routeFor(pathname: string): { route: Route; canonicalPath?: string } {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { route: 'login', canonicalPath: '/login' };
  if (path === '/login') return { route: 'login' };
  return { route: 'not-found' };
}
