import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { auditActorOf, AuditService, type MutationContext, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { ConfigActivationAction, ConfigActivationEntity, ConfigEntity, Page } from '@orch/data';
import { isUniqueViolation } from '../common/database-errors';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { canonicalSize, configChecksum, MAX_CONFIG_DATA_BYTES, nextVersion } from './config-version';
import { CONFIG_VERSION_CONSTRAINT, type ConfigSummaryRow, ConfigsRepository, type PageRequest } from './configs.repository';

export interface CreateConfigInput {
  name: string;
  version?: string;
  data: Record<string, unknown>;
  activate?: boolean;
}

/** An activation row with the versions it moved between. */
export interface ActivationView {
  activation: ConfigActivationEntity;
  fromVersion: string | null;
  toVersion: string;
}

export interface PointerMove {
  name: string;
  active: ConfigEntity;
  previousVersion: string | null;
  activation: ActivationView;
}

/** Attempts at an automatic version number when a concurrent create took the same one. */
const AUTO_VERSION_ATTEMPTS = 3;

function configNotFound(name: string): DomainError {
  return new DomainError('NOT_FOUND', `Config ${name} not found`);
}

function versionNotFound(name: string, version: string): DomainError {
  return new DomainError('NOT_FOUND', `Config ${name} has no version ${version}`);
}

/** What an audit row shows of a version: its identity and checksum, not the (possibly large) data. */
function snapshot(config: ConfigEntity): Record<string, unknown> {
  return { name: config.name, version: config.version, checksum: config.checksum };
}

/**
 * Immutable config versions and the pointer to the active one (DESIGN §6). Rollback returns to
 * the version active before the last move and clears `previous`: a second rollback in a row is
 * a 409, never a silent swing back to the version just rolled away from.
 */
@Injectable()
export class ConfigsService {
  private readonly configs: ConfigsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
  ) {
    this.configs = ConfigsRepository.of(dataSource.manager);
  }

  async create(workspaceId: string, input: CreateConfigInput, ctx: MutationContext): Promise<ConfigEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const size = canonicalSize(input.data);
    if (size > MAX_CONFIG_DATA_BYTES) {
      throw new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path: '/data', message: `must be at most ${MAX_CONFIG_DATA_BYTES} bytes as canonical JSON (is ${size})` }] });
    }
    const checksum = configChecksum(input.data);
    const attempts = input.version === undefined ? AUTO_VERSION_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const version = input.version ?? nextVersion(await this.configs.versionNames(workspaceId, input.name));
      if (input.version !== undefined && (await this.configs.findVersion(workspaceId, input.name, version))) throw duplicate(input.name, version);
      try {
        return await this.dataSource.transaction((manager) => this.insertVersion(manager, workspaceId, { ...input, version, checksum }, ctx));
      } catch (error) {
        if (!isUniqueViolation(error, CONFIG_VERSION_CONSTRAINT)) throw error;
        if (attempt >= attempts) throw duplicate(input.name, version);
      }
    }
  }

  async list(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<ConfigSummaryRow>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.configs.findSummaryPage(workspaceId, page);
  }

  async versions(principal: Principal, workspaceId: string, name: string, page: PageRequest): Promise<Page<ConfigEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const result = await this.configs.findVersionPage(workspaceId, name, page);
    if (result.items.length === 0 && !(await this.configs.nameExists(workspaceId, name))) throw configNotFound(name);
    return result;
  }

  async getVersion(principal: Principal, workspaceId: string, name: string, version: string): Promise<ConfigEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const config = await this.configs.findVersion(workspaceId, name, version);
    if (!config) throw versionNotFound(name, version);
    return config;
  }

  async active(principal: Principal, workspaceId: string, name: string): Promise<ConfigEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const pointer = await this.configs.findPointer(workspaceId, name);
    const config = pointer ? await this.configs.findById(workspaceId, pointer.activeConfigId) : null;
    if (!config) throw new DomainError('NOT_FOUND', `Config ${name} has no active version`);
    return config;
  }

  async history(principal: Principal, workspaceId: string, name: string, page: PageRequest): Promise<Page<ActivationView>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    if (!(await this.configs.nameExists(workspaceId, name))) throw configNotFound(name);
    const result = await this.configs.findActivationPage(workspaceId, name, page);
    const ids = [...new Set(result.items.flatMap((a) => (a.fromConfigId ? [a.fromConfigId, a.toConfigId] : [a.toConfigId])))];
    const versions = await this.configs.findByIds(workspaceId, ids);
    return {
      items: result.items.map((activation) => ({
        activation,
        fromVersion: activation.fromConfigId ? (versions.get(activation.fromConfigId)?.version ?? null) : null,
        toVersion: versions.get(activation.toConfigId)?.version ?? '',
      })),
      nextCursor: result.nextCursor,
    };
  }

  /** Makes `version` the active one; the one it replaces becomes the rollback target. Already active → 409. */
  async activate(workspaceId: string, name: string, version: string, ctx: MutationContext): Promise<PointerMove> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    return this.dataSource.transaction(async (manager) => {
      const configs = ConfigsRepository.of(manager);
      const target = await configs.findVersion(workspaceId, name, version);
      if (!target) throw versionNotFound(name, version);
      const move = await this.activateLocked(manager, workspaceId, target, ctx);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'config.activate',
        workspaceId,
        targetType: 'config',
        targetId: target.id,
        reason: ctx.reason,
        before: { name, active_version: move.activation.fromVersion },
        after: { ...snapshot(target), previous_version: move.previousVersion },
        meta: ctx,
      });
      return move;
    });
  }

  /** Back to the version active before the last move; 409 when there is none (never activated, or just rolled back). */
  async rollback(workspaceId: string, name: string, ctx: MutationContext): Promise<PointerMove> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    return this.dataSource.transaction(async (manager) => {
      const configs = ConfigsRepository.of(manager);
      const locked = await configs.lockPointer(workspaceId, name);
      if (!locked) {
        if (!(await configs.nameExists(workspaceId, name))) throw configNotFound(name);
        throw new DomainError('CONFLICT', `Config ${name} has never been activated: there is nothing to roll back to`);
      }
      const { pointer } = locked;
      if (!pointer.previousConfigId) {
        throw new DomainError('CONFLICT', `Config ${name} has no previous version to roll back to (a rollback clears it); activate a version explicitly`);
      }
      const from = await configs.findById(workspaceId, pointer.activeConfigId);
      const to = await configs.findById(workspaceId, pointer.previousConfigId);
      if (!from || !to) throw configNotFound(name);
      await configs.movePointer(workspaceId, pointer.id, to.id, null);
      const activation = await this.recordActivation(configs, workspaceId, 'rollback', from, to, ctx);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'config.rollback',
        workspaceId,
        targetType: 'config',
        targetId: to.id,
        reason: ctx.reason,
        before: { name, active_version: from.version, previous_version: to.version },
        after: { ...snapshot(to), previous_version: null },
        meta: ctx,
      });
      return { name, active: to, previousVersion: null, activation };
    });
  }

  private async insertVersion(manager: EntityManager, workspaceId: string, input: CreateConfigInput & { version: string; checksum: string }, ctx: MutationContext): Promise<ConfigEntity> {
    const configs = ConfigsRepository.of(manager);
    const created = await configs.insert(workspaceId, {
      name: input.name,
      version: input.version,
      data: input.data,
      checksum: input.checksum,
      createdBy: auditActorOf(ctx.principal).actorId,
    });
    const move = input.activate ? await this.activateLocked(manager, workspaceId, created, ctx) : null;
    await this.audit.record(manager, {
      principal: ctx.principal,
      action: 'config.create',
      workspaceId,
      targetType: 'config',
      targetId: created.id,
      reason: ctx.reason,
      before: null,
      after: { ...snapshot(created), activated: move !== null, ...(move ? { previous_version: move.previousVersion } : {}) },
      meta: ctx,
    });
    return created;
  }

  /**
   * Moves the pointer to `target` under its row lock and writes the history row; no audit (the
   * caller's). Public for bundle import, which activates inside its own transaction.
   */
  async activateLocked(manager: EntityManager, workspaceId: string, target: ConfigEntity, ctx: MutationContext): Promise<PointerMove> {
    const configs = ConfigsRepository.of(manager);
    const locked = await configs.lockPointer(workspaceId, target.name, target.id);
    if (!locked) throw configNotFound(target.name);
    const { pointer, created } = locked;
    let from: ConfigEntity | null = null;
    if (!created) {
      if (pointer.activeConfigId === target.id) throw new DomainError('CONFLICT', `Version ${target.version} is already the active version of config ${target.name}`);
      from = await configs.findById(workspaceId, pointer.activeConfigId);
      await configs.movePointer(workspaceId, pointer.id, target.id, pointer.activeConfigId);
    }
    const activation = await this.recordActivation(configs, workspaceId, 'activate', from, target, ctx);
    return { name: target.name, active: target, previousVersion: from?.version ?? null, activation };
  }

  private async recordActivation(configs: ConfigsRepository, workspaceId: string, action: ConfigActivationAction, from: ConfigEntity | null, to: ConfigEntity, ctx: MutationContext): Promise<ActivationView> {
    const activation = await configs.insertActivation(workspaceId, {
      name: to.name,
      fromConfigId: from?.id ?? null,
      toConfigId: to.id,
      action,
      actor: auditActorOf(ctx.principal).actorId,
      reason: ctx.reason,
    });
    return { activation, fromVersion: from?.version ?? null, toVersion: to.version };
  }
}

function duplicate(name: string, version: string): DomainError {
  return new DomainError('CONFLICT', `Config ${name} already has a version ${version}; versions are immutable`, { details: [{ path: '/version', message: 'exists' }] });
}
