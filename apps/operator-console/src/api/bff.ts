import type { ApiClient } from './client';

export type UpstreamState = 'up' | 'down';

/** GET /api/bff/upstreams: whether the BFF reaches control-api and exec-api. */
export interface UpstreamsStatus {
  control_api: UpstreamState;
  exec_api: UpstreamState;
}

export function fetchUpstreams(client: ApiClient, signal?: AbortSignal): Promise<UpstreamsStatus> {
  return client.request<UpstreamsStatus>('/api/bff/upstreams', { signal });
}
