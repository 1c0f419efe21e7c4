import { DEFAULT_WORKSPACE_SETTINGS, type WorkspaceQuotas, type WorkspaceSettings } from '@orch/data';

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

/** Stored settings with the defaults filled in (rows written before a setting existed hold less). */
export function effectiveSettings(stored: Partial<WorkspaceSettings> | null | undefined): WorkspaceSettings {
  return {
    quotas: { ...DEFAULT_WORKSPACE_SETTINGS.quotas, ...(stored?.quotas ?? {}) },
    retention_days: stored?.retention_days ?? DEFAULT_WORKSPACE_SETTINGS.retention_days,
  };
}
