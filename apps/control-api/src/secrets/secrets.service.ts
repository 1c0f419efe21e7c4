import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { Page, SecretRefEntity } from '@orch/data';
import { isReservedEnvName, MAX_SECRET_VALUE_BYTES, parseSecretRef, type ResolutionFailure, SECRET_NAME_PATTERN, SecretResolutionError, SecretResolver, SecretVault, type StoredVersion } from '@orch/secrets';
import { isUniqueViolation } from '../common/database-errors';
import type { PageRequest } from '../workspaces/workspaces.service';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { SECRET_REF_NAME_CONSTRAINT, SecretRefsRepository } from './secret-refs.repository';

export interface CreateSecretRefInput {
  name: string;
  ref: string;
}

export type SecretCheck = { ok: true; version?: number } | { ok: false; reason: ResolutionFailure; message: string };

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Secret ref not found');
}

/** What an audit row shows of a ref: the pointer only. */
function snapshot(ref: SecretRefEntity): Record<string, unknown> {
  return { name: ref.name, ref: ref.ref };
}

@Injectable()
export class SecretsService {
  private readonly refs: SecretRefsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly vault: SecretVault,
    private readonly resolver: SecretResolver,
  ) {
    this.refs = SecretRefsRepository.of(dataSource.manager);
  }

  async createRef(workspaceId: string, input: CreateSecretRefInput, ctx: MutationContext): Promise<SecretRefEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const parsed = parseSecretRef(input.ref);
    if (parsed?.kind === 'env' && isReservedEnvName(parsed.name)) {
      throw new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path: '/ref', message: `${parsed.name} is reserved for the orchestrator's own configuration` }] });
    }
    if (await this.refs.findOne(workspaceId, { name: input.name })) throw duplicate(input.name);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const created = await SecretRefsRepository.of(manager).insert(workspaceId, { name: input.name, ref: input.ref });
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'secret_ref.create',
          workspaceId,
          targetType: 'secret_ref',
          targetId: created.id,
          reason: ctx.reason,
          before: null,
          after: snapshot(created),
          meta: ctx,
        });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error, SECRET_REF_NAME_CONSTRAINT)) throw duplicate(input.name);
      throw error;
    }
  }

  async listRefs(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<SecretRefEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.refs.find(workspaceId, { limit: page.limit, cursor: page.cursor });
  }

  async getRef(principal: Principal, workspaceId: string, name: string): Promise<SecretRefEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const ref = await this.refs.findOne(workspaceId, { name });
    if (!ref) throw notFound();
    return ref;
  }

  /** Refused (409) while a connector, webhook route or the workspace still names the ref. */
  async deleteRef(workspaceId: string, name: string, ctx: MutationContext): Promise<void> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    await this.dataSource.transaction(async (manager) => {
      const refs = SecretRefsRepository.of(manager);
      const current = await refs.findByNameForUpdate(workspaceId, name);
      if (!current) throw notFound();
      const uses = await refs.findUses(workspaceId, name);
      if (uses.length > 0) {
        throw new DomainError('CONFLICT', `Secret ref ${name} is still in use`, { details: uses.map((use) => ({ path: `/${use.kind}`, message: `${use.kind} ${use.name} references it` })) });
      }
      await refs.delete(workspaceId, { id: current.id });
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'secret_ref.delete',
        workspaceId,
        targetType: 'secret_ref',
        targetId: current.id,
        reason: ctx.reason,
        before: snapshot(current),
        after: null,
        meta: ctx,
      });
    });
  }

  /** Stores a new version of a vault secret; the audit row gets its name and version, never the value. */
  async putSecret(workspaceId: string, name: string, value: string, ctx: MutationContext): Promise<StoredVersion> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!SECRET_NAME_PATTERN.test(name)) throw invalid('/name', 'must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit');
    if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_VALUE_BYTES) throw invalid('/value', `must be at most ${MAX_SECRET_VALUE_BYTES} bytes`);
    return this.dataSource.transaction(async (manager) => {
      const stored = await this.vault.put(manager, workspaceId, name, value);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'secret.put',
        workspaceId,
        targetType: 'secret',
        targetId: name,
        reason: ctx.reason,
        before: null,
        after: { name: stored.name, version: stored.version },
        meta: ctx,
      });
      return stored;
    });
  }

  /** Resolves the ref and reports only whether it worked (and the vault version). */
  async checkRef(principal: Principal, workspaceId: string, name: string): Promise<SecretCheck> {
    const ref = await this.getRef(principal, workspaceId, name);
    try {
      const resolved = await this.resolver.resolveRef(workspaceId, ref.name, ref.ref);
      return resolved.version === null ? { ok: true } : { ok: true, version: resolved.version };
    } catch (error) {
      if (error instanceof SecretResolutionError) return { ok: false, reason: error.reason, message: error.message };
      throw error;
    }
  }
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path, message }] });
}

function duplicate(name: string): DomainError {
  return new DomainError('CONFLICT', `A secret ref named ${name} already exists in this workspace`, { details: [{ path: '/name', message: 'is taken' }] });
}
