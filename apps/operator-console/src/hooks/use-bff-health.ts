import { useQuery } from '@tanstack/react-query';
import { fetchUpstreams, type UpstreamsStatus } from '../api/bff';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';

export const BFF_HEALTH_REFETCH_MS = 15_000;

export type BffHealth =
  | { state: 'checking' }
  /** The BFF answered; each upstream is as it reported. */
  | { state: 'reachable'; upstreams: UpstreamsStatus }
  /** The BFF itself did not answer (or answered an error). */
  | { state: 'unreachable' };

/** Whether the console's server and, through it, control-api and exec-api are reachable. */
export function useBffHealth(): BffHealth {
  const query = useQuery({
    queryKey: queryKeys.bff.upstreams(),
    queryFn: ({ signal }) => fetchUpstreams(apiClient, signal),
    refetchInterval: BFF_HEALTH_REFETCH_MS,
    retry: false,
  });
  if (query.data && !query.isError) return { state: 'reachable', upstreams: query.data };
  if (query.isError) return { state: 'unreachable' };
  return { state: 'checking' };
}
