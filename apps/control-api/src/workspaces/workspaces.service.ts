import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, confinedWorkspace, type MutationContext, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { Page, WorkspaceEntity, WorkspaceSettings } from '@orch/data';
import type { OrchEnv } from '@orch/platform';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { isUniqueViolation } from '../common/database-errors';
import { isUuid } from '../common/page-cursor';
import { isServedName, workspaceSuffixOf } from './workspace-environment';
import { effectiveSettings, mergeSettings, type WorkspaceSettingsPatch } from './workspace-settings';
import { WorkspacesRepository } from './workspaces.repository';

export interface CreateWorkspaceInput {
  name: string;
  settings?: WorkspaceSettingsPatch;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Workspace not found');
}

/** What an audit row shows of a workspace. */
/** Audit view; the callback ref is a ref *name* (never a value), renamed so the redactor keeps it readable (D44). */
function snapshot(workspace: WorkspaceEntity): Record<string, unknown> {
  return { name: workspace.name, status: workspace.status, settings: effectiveSettings(workspace.settings), callback_signing_ref: workspace.callbackSecretRef };
}

@Injectable()
export class WorkspacesService {
  private readonly env: OrchEnv;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesRepository,
    private readonly audit: AuditService,
    @Inject(CONTROL_API_CONFIG) config: ControlApiConfig,
  ) {
    this.env = config.ORCH_ENV;
  }

  /**
   * Resolves the workspace a workspace-scoped route names, once: unknown, malformed, or of
   * another environment than this deployment's (DESIGN §3) all read as "not found".
   */
  async requireWorkspace(id: string): Promise<WorkspaceEntity> {
    if (!isUuid(id)) throw notFound();
    const workspace = await this.workspaces.findById(id);
    if (!workspace || !isServedName(workspace.name, this.env)) throw notFound();
    return workspace;
  }

  /**
   * requireWorkspace plus the caller's reach: a token confined to one workspace gets 404 for
   * any other (the guard already refuses it; this keeps the service safe on its own).
   */
  async requireAccessibleWorkspace(principal: Principal, id: string): Promise<WorkspaceEntity> {
    const confined = confinedWorkspace(principal);
    if (confined !== undefined && confined !== id) throw notFound();
    return this.requireWorkspace(id);
  }

  /** The workspace if this deployment serves it, without throwing (token minting). */
  async findServed(id: string): Promise<WorkspaceEntity | null> {
    const workspace = isUuid(id) ? await this.workspaces.findById(id) : null;
    return workspace && isServedName(workspace.name, this.env) ? workspace : null;
  }

  async create(input: CreateWorkspaceInput, ctx: MutationContext): Promise<WorkspaceEntity> {
    if (!isServedName(input.name, this.env)) {
      const suffix = workspaceSuffixOf(this.env);
      throw new DomainError('VALIDATION_FAILED', 'Request validation failed', {
        details: [{ path: '/name', message: `must end with ${suffix}: this ${this.env} deployment serves only *${suffix} workspaces` }],
      });
    }
    if (await this.workspaces.existsByName(input.name)) throw duplicate(input.name);
    const settings = mergeSettings(undefined, input.settings);
    try {
      return await this.dataSource.transaction((manager) => this.insertWithDefaultPolicy(manager, { name: input.name, settings }, ctx));
    } catch (error) {
      if (isUniqueViolation(error, 'uq_workspaces_name')) throw duplicate(input.name);
      throw error;
    }
  }

  /**
   * The workspace row, its `default` policy and the audit row, inside the caller's transaction
   * (the name already checked). Bundle import creates workspaces through it too.
   */
  async insertWithDefaultPolicy(manager: EntityManager, input: { name: string; settings: WorkspaceSettings }, ctx: MutationContext): Promise<WorkspaceEntity> {
    const workspace = await this.workspaces.insert(manager, input);
    const policy = await this.workspaces.insertDefaultPolicy(manager, workspace.id);
    await this.audit.record(manager, {
      principal: ctx.principal,
      action: 'workspace.create',
      workspaceId: workspace.id,
      targetType: 'workspace',
      targetId: workspace.id,
      reason: ctx.reason,
      before: null,
      after: { ...snapshot(workspace), default_policy_id: policy.id },
      meta: ctx,
    });
    return workspace;
  }

  async list(principal: Principal, page: PageRequest): Promise<Page<WorkspaceEntity>> {
    return this.workspaces.findPage({ nameSuffix: workspaceSuffixOf(this.env), onlyId: confinedWorkspace(principal), limit: page.limit, cursor: page.cursor });
  }

  async get(principal: Principal, id: string): Promise<WorkspaceEntity> {
    return this.requireAccessibleWorkspace(principal, id);
  }

  /** Settings (quotas, retention) and/or the callback signing secret ref; at least one must be given. */
  async update(id: string, patch: { settings?: WorkspaceSettingsPatch; callbackSecretRef?: string | null }, ctx: MutationContext): Promise<WorkspaceEntity> {
    if (patch.settings === undefined && patch.callbackSecretRef === undefined) {
      throw new DomainError('VALIDATION_FAILED', 'Nothing to update', { details: [{ path: '/settings', message: 'settings or callback_secret_ref is required' }] });
    }
    await this.requireAccessibleWorkspace(ctx.principal, id);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.workspaces.findByIdForUpdate(manager, id);
      if (!current) throw notFound();
      const before = snapshot(current);
      if (typeof patch.callbackSecretRef === 'string' && !(await this.workspaces.secretRefExists(manager, id, patch.callbackSecretRef))) {
        throw new DomainError('VALIDATION_FAILED', 'Unknown secret ref', { details: [{ path: '/callback_secret_ref', message: `no secret ref named ${patch.callbackSecretRef} in this workspace` }] });
      }
      const updated = await this.workspaces.update(manager, id, {
        ...(patch.settings !== undefined ? { settings: mergeSettings(current.settings, patch.settings) } : {}),
        ...(patch.callbackSecretRef !== undefined ? { callbackSecretRef: patch.callbackSecretRef } : {}),
      });
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'workspace.update',
        workspaceId: id,
        targetType: 'workspace',
        targetId: id,
        reason: ctx.reason,
        before,
        after: snapshot(updated),
        meta: ctx,
      });
      return updated;
    });
  }
}

function duplicate(name: string): DomainError {
  return new DomainError('CONFLICT', `A workspace named ${name} already exists`, { details: [{ path: '/name', message: 'is taken' }] });
}
