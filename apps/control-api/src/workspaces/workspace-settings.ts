import { effectiveSettings, type WorkspaceQuotas, type WorkspaceSettings } from '@orch/data';

export { effectiveSettings };

export interface WorkspaceSettingsPatch {
  quotas?: Partial<WorkspaceQuotas>;
  retention_days?: number;
}

/** `patch` over `base`, one level into quotas; absent values keep the base's. */
export function mergeSettings(base: Partial<WorkspaceSettings> | null | undefined, patch: WorkspaceSettingsPatch | undefined): WorkspaceSettings {
  const current = effectiveSettings(base);
  return {
    quotas: {
      rps: patch?.quotas?.rps ?? current.quotas.rps,
      concurrency: patch?.quotas?.concurrency ?? current.quotas.concurrency,
      queue_depth: patch?.quotas?.queue_depth ?? current.quotas.queue_depth,
    },
    retention_days: patch?.retention_days ?? current.retention_days,
  };
}
