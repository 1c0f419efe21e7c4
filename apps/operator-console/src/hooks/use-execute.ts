import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { type ExecuteRequest, executeOperation } from '../api/execute';
import { queryKeys } from '../api/query-keys';

/** Runs one operation synchronously through exec-api; afterwards the events of the workspace are stale. */
export function useExecute(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ request, idempotencyKey }: { request: ExecuteRequest; idempotencyKey?: string }) => executeOperation(apiClient, request, idempotencyKey),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, 'exec-events') }),
  });
}
