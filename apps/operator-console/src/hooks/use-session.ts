import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { apiClient, setCsrfToken } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { createSession, deleteSession, fetchSession, type SessionState, startImpersonation, stopImpersonation } from '../api/session';

/** The signed-in operator, or null when there is no session (401). Keeps the CSRF token current. */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.session(),
    queryFn: async ({ signal }): Promise<SessionState | null> => {
      try {
        const session = await fetchSession(apiClient, signal);
        setCsrfToken(session.csrf_token);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw error;
      }
    },
    retry: false,
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) => createSession(apiClient, credentials),
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token);
      queryClient.setQueryData(queryKeys.session(), session);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => deleteSession(apiClient),
    onSettled: () => {
      setCsrfToken(undefined);
      queryClient.clear();
      queryClient.setQueryData(queryKeys.session(), null);
    },
  });
}

export function useStartImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { workspace_id: string; ttl_seconds?: number; reason: string }) => startImpersonation(apiClient, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.session() }),
  });
}

export function useStopImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) => stopImpersonation(apiClient, reason),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.session() }),
  });
}

/** Whether the signed-in operator holds one of these roles (the API still decides). */
export function useHasRole(...roles: string[]): boolean {
  const { data } = useSession();
  return !!data && data.operator.roles.some((role) => roles.includes(role));
}

/** Roles that may change a workspace's configuration (access rules: ADMIN). */
export const ADMIN_ROLES = ['OperatorAdmin', 'BreakGlassAdmin'] as const;
/** Roles that may replay/retry (DLQ, webhook inbox). */
export const OPERATE_ROLES = ['OperatorAdmin', 'Support', 'BreakGlassAdmin'] as const;
