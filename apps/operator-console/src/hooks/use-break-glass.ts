import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { activateBreakGlass, type BreakGlassActivation, fetchOperatorMe } from '../api/break-glass';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';

/** The operator as control-api sees it, with `break_glass_active`. */
export function useOperatorMe(enabled = true) {
  return useQuery({ queryKey: queryKeys.global('auth-me'), queryFn: ({ signal }) => fetchOperatorMe(apiClient, signal), enabled });
}

/** The last activation started from this console (control-api has no route that reads it back). */
export function useLastBreakGlassActivation() {
  return useQuery<BreakGlassActivation | null>({ queryKey: queryKeys.global('break-glass-activation'), queryFn: () => null, staleTime: Infinity, gcTime: Infinity });
}

export function useActivateBreakGlass() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ttlSeconds, reason }: { ttlSeconds?: number; reason: string }) => activateBreakGlass(apiClient, ttlSeconds === undefined ? {} : { ttl_seconds: ttlSeconds }, reason),
    onSuccess: (activation) => {
      queryClient.setQueryData(queryKeys.global('break-glass-activation'), activation);
      return queryClient.invalidateQueries({ queryKey: queryKeys.global('auth-me') });
    },
  });
}
