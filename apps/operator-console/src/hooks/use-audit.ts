import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type AuditFilters, fetchAuditLog, verifyAuditChain } from '../api/audit';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';

export function useAuditLog(filters: AuditFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.global('audit', { ...filters, cursor }),
    queryFn: ({ signal }) => fetchAuditLog(apiClient, filters, cursor, signal),
    placeholderData: keepPreviousData,
  });
}

/** The chain check reads every row: run only when asked (`enabled`), re-run with `refetch()`. */
export function useAuditVerify(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.global('audit-verify'),
    queryFn: ({ signal }) => verifyAuditChain(apiClient, signal),
    enabled,
    staleTime: Infinity,
    gcTime: 0,
  });
}
