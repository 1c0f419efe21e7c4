import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { putSecret } from '../api/secrets';

/** Writes a new vault version (write-only: nothing is cached, the value never comes back). */
export function usePutSecret(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, value, reason }: { name: string; value: string; reason: string }) => putSecret(apiClient, workspaceId, name, value, reason),
    // A check of the ref may now answer differently.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, 'secret-refs') }),
  });
}
