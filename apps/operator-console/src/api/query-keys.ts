/** Every react-query key of the console, so invalidation never depends on a retyped array. */
export const queryKeys = {
  bff: {
    all: ['bff'] as const,
    upstreams: () => [...queryKeys.bff.all, 'upstreams'] as const,
  },
  session: () => ['session'] as const,
  workspaces: {
    all: ['workspaces'] as const,
    list: (params?: object) => [...queryKeys.workspaces.all, 'list', params ?? {}] as const,
    detail: (workspaceId: string) => [...queryKeys.workspaces.all, 'detail', workspaceId] as const,
  },
  /**
   * Anything that belongs to one workspace: `resource` is the API collection (`connectors`,
   * `policies`, `jobs`, `dlq`, …). Invalidate `workspace(id, resource)` after a mutation.
   */
  workspace: (workspaceId: string, resource: string) => ['workspace', workspaceId, resource] as const,
  workspaceList: (workspaceId: string, resource: string, params?: object) => [...queryKeys.workspace(workspaceId, resource), 'list', params ?? {}] as const,
  workspaceItem: (workspaceId: string, resource: string, id: string) => [...queryKeys.workspace(workspaceId, resource), 'item', id] as const,
  /** Global (not per-workspace) control-plane collections: `audit`, `operators`, `connector-types`. */
  global: (resource: string, params?: object) => ['global', resource, params ?? {}] as const,
} as const;
