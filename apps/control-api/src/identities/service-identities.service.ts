import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, generateSecret, hashSecret, type MutationContext, type Principal, SessionStore } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { Page, ServiceIdentityEntity, TokenAudience } from '@orch/data';
import { isUniqueViolation } from '../common/database-errors';
import { isUuid } from '../common/page-cursor';
import type { PageRequest } from '../workspaces/workspaces.service';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { scopeProblems } from './identity-scopes';
import { SERVICE_IDENTITY_NAME_CONSTRAINT, ServiceIdentitiesRepository } from './service-identities.repository';

export interface CreateServiceIdentityInput {
  name: string;
  audience: TokenAudience;
  scopes: string[];
}

/** An identity with its freshly generated secret: the only moment the secret exists in clear. */
export interface IdentityWithSecret {
  identity: ServiceIdentityEntity;
  clientSecret: string;
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Service identity not found');
}

/** What an audit row shows of an identity: never a secret or its hash. */
function snapshot(identity: ServiceIdentityEntity): Record<string, unknown> {
  return {
    name: identity.name,
    client_id: identity.clientId,
    audience: identity.audience,
    scopes: [...identity.scopes],
    revoked_at: identity.revokedAt?.toISOString() ?? null,
    previous_secret_expires_at: identity.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

function newClientId(): string {
  return `ci_${randomBytes(16).toString('hex')}`;
}

@Injectable()
export class ServiceIdentitiesService {
  private readonly identities: ServiceIdentitiesRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
  ) {
    this.identities = ServiceIdentitiesRepository.of(dataSource.manager);
  }

  async create(workspaceId: string, input: CreateServiceIdentityInput, ctx: MutationContext): Promise<IdentityWithSecret> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const problems = scopeProblems(input.audience, input.scopes);
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: problems });
    if (await this.identities.findOne(workspaceId, { name: input.name })) throw duplicate(input.name);

    const clientSecret = generateSecret('cs');
    try {
      const identity = await this.dataSource.transaction(async (manager) => {
        const created = await ServiceIdentitiesRepository.of(manager).insert(workspaceId, {
          name: input.name,
          audience: input.audience,
          scopes: input.scopes,
          clientId: newClientId(),
          clientSecretHash: hashSecret(clientSecret),
        });
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'service_identity.create',
          workspaceId,
          targetType: 'service_identity',
          targetId: created.id,
          reason: ctx.reason,
          before: null,
          after: snapshot(created),
          meta: ctx,
        });
        return created;
      });
      return { identity, clientSecret };
    } catch (error) {
      if (isUniqueViolation(error, SERVICE_IDENTITY_NAME_CONSTRAINT)) throw duplicate(input.name);
      throw error;
    }
  }

  async list(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<ServiceIdentityEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.identities.find(workspaceId, { limit: page.limit, cursor: page.cursor });
  }

  async get(principal: Principal, workspaceId: string, identityId: string): Promise<ServiceIdentityEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const identity = isUuid(identityId) ? await this.identities.findOne(workspaceId, { id: identityId }) : null;
    if (!identity) throw notFound();
    return identity;
  }

  /**
   * Revoked for good: the token endpoint refuses it from now on, and a revocation marker in
   * Redis makes every app refuse the tokens it already holds at their next request. The marker
   * is written inside the transaction, so a failure leaves the identity unrevoked, never half.
   */
  async revoke(workspaceId: string, identityId: string, ctx: MutationContext): Promise<ServiceIdentityEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!isUuid(identityId)) throw notFound();
    return this.dataSource.transaction(async (manager) => {
      const identities = ServiceIdentitiesRepository.of(manager);
      const current = await identities.findOneForUpdate(workspaceId, identityId);
      if (!current) throw notFound();
      if (current.revokedAt) throw new DomainError('CONFLICT', 'This service identity is already revoked');
      await identities.update(workspaceId, { id: identityId }, { revokedAt: new Date(), previousClientSecretHash: null, previousSecretExpiresAt: null });
      const revoked = await this.reload(identities, workspaceId, identityId);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'service_identity.revoke',
        workspaceId,
        targetType: 'service_identity',
        targetId: identityId,
        reason: ctx.reason,
        before: snapshot(current),
        after: snapshot(revoked),
        meta: ctx,
      });
      await this.sessions.revokeSubject(identityId);
      return revoked;
    });
  }

  /** A new secret, shown once; the replaced one keeps working for `graceSeconds` (0: not at all). */
  async rotateSecret(workspaceId: string, identityId: string, graceSeconds: number, ctx: MutationContext): Promise<IdentityWithSecret> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!isUuid(identityId)) throw notFound();
    const clientSecret = generateSecret('cs');
    const identity = await this.dataSource.transaction(async (manager) => {
      const identities = ServiceIdentitiesRepository.of(manager);
      const current = await identities.findOneForUpdate(workspaceId, identityId);
      if (!current) throw notFound();
      if (current.revokedAt) throw new DomainError('CONFLICT', 'A revoked service identity cannot get a new secret');
      const graceful = graceSeconds > 0;
      await identities.update(workspaceId, { id: identityId }, {
        clientSecretHash: hashSecret(clientSecret),
        previousClientSecretHash: graceful ? current.clientSecretHash : null,
        previousSecretExpiresAt: graceful ? new Date(Date.now() + graceSeconds * 1000) : null,
      });
      const rotated = await this.reload(identities, workspaceId, identityId);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'service_identity.rotate_secret',
        workspaceId,
        targetType: 'service_identity',
        targetId: identityId,
        reason: ctx.reason,
        before: snapshot(current),
        after: { ...snapshot(rotated), grace_seconds: graceSeconds },
        meta: ctx,
      });
      return rotated;
    });
    return { identity, clientSecret };
  }

  private async reload(identities: ServiceIdentitiesRepository, workspaceId: string, identityId: string): Promise<ServiceIdentityEntity> {
    const identity = await identities.findOne(workspaceId, { id: identityId });
    if (!identity) throw notFound();
    return identity;
  }
}

function duplicate(name: string): DomainError {
  return new DomainError('CONFLICT', `A service identity named ${name} already exists in this workspace`, { details: [{ path: '/name', message: 'is taken' }] });
}
