/** `{data, next_cursor}`: every list of control-api and exec-api. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A control-api path (`/v1/…`) through the BFF proxy, which adds the operator's token. */
export function controlPath(path: string): string {
  return `/api/control${path.startsWith('/') ? path : `/${path}`}`;
}

/** A control-api path under a workspace: `workspacePath(id, 'connectors')` → `/api/control/v1/workspaces/<id>/connectors`. */
export function workspacePath(workspaceId: string, path = ''): string {
  const rest = path === '' ? '' : path.startsWith('/') ? path : `/${path}`;
  return controlPath(`/v1/workspaces/${encodeURIComponent(workspaceId)}${rest}`);
}

/** An exec-api path through the BFF proxy (needs an active impersonation of the workspace). */
export function execPath(path: string): string {
  return `/api/exec${path.startsWith('/') ? path : `/${path}`}`;
}
