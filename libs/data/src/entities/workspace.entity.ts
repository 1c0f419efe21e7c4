import { Check, Column, Entity, Unique } from 'typeorm';
import { deepFreeze } from '../util/deep-freeze';
import { CreatedAtColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';

export const WORKSPACE_STATUSES = ['active', 'suspended'] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

export interface WorkspaceQuotas {
  /** Requests per second accepted by exec-api for the workspace. */
  rps: number;
  /** Executions (sync and job attempts) running at once. */
  concurrency: number;
  /** Jobs queued and not yet finished. */
  queue_depth: number;
}

export interface WorkspaceSettings {
  quotas: WorkspaceQuotas;
  /** Events, request logs, inbox rows and runs older than this are purged. */
  retention_days: number;
}

export const DEFAULT_WORKSPACE_SETTINGS: Readonly<WorkspaceSettings> = deepFreeze({
  quotas: { rps: 50, concurrency: 20, queue_depth: 10_000 },
  retention_days: 30,
});

/** Stored settings with the defaults filled in (rows written before a setting existed hold less). */
export function effectiveSettings(stored: Partial<WorkspaceSettings> | null | undefined): WorkspaceSettings {
  return {
    quotas: { ...DEFAULT_WORKSPACE_SETTINGS.quotas, ...(stored?.quotas ?? {}) },
    retention_days: stored?.retention_days ?? DEFAULT_WORKSPACE_SETTINGS.retention_days,
  };
}

/**
 * The tenant. Its environment is the name's suffix (`-dev`, `-prod`, DESIGN §3), so no column
 * can disagree with the name.
 */
@Entity({ name: 'workspaces' })
@Unique('uq_workspaces_name', ['name'])
@Check('ck_workspaces_name', `name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`)
@Check('ck_workspaces_status', `status IN (${sqlList(WORKSPACE_STATUSES)})`)
export class WorkspaceEntity {
  @UuidPrimaryColumn('workspaces')
  id!: string;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'jsonb', name: 'settings', default: {} })
  settings!: WorkspaceSettings;

  /** Name of the secret ref holding the key product callbacks are signed with. */
  @Column({ type: 'text', name: 'callback_secret_ref', nullable: true })
  callbackSecretRef!: string | null;

  @Column({ type: 'text', name: 'status', default: 'active' })
  status!: WorkspaceStatus;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
