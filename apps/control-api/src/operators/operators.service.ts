import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, generateSecret, hashPassword, hashSecret, type MutationContext, type Principal, type RequestMeta, SessionStore } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { OperatorEntity, OperatorRole } from '@orch/data';
import { ImpersonationService } from '../impersonation/impersonation.service';
import { RefreshTokenStore } from './auth/refresh-token.store';
import { type CreatedOperatorResponse, type OperatorPageResponse, type OperatorResponse, toOperatorResponse } from './dto/operator.response';
import type { CreateOperatorRequest, UpdateOperatorRequest } from './dto/operator.requests';
import { isUniqueViolation } from '../common/database-errors';
import { OperatorsRepository } from './operators.repository';
import { toPageResponse } from '../common/dto/page.dto';

export const INVITE_TTL_SECONDS = 72 * 60 * 60;
const DEFAULT_PAGE_SIZE = 50;
/** Serialises operator changes so "at least one active OperatorAdmin" holds under concurrency. */
const OPERATORS_LOCK = 7_301_966_455_102;

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Resource not found');
}

function duplicateEmail(): DomainError {
  return new DomainError('CONFLICT', 'An operator with this email already exists', { details: [{ path: '/email', message: 'is already taken' }] });
}

@Injectable()
export class OperatorsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly operators: OperatorsRepository,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly impersonation: ImpersonationService,
  ) {}

  /** Invite-only: the operator has no password until the one-time invite token is accepted. */
  async create(request: CreateOperatorRequest, ctx: MutationContext): Promise<CreatedOperatorResponse> {
    const inviteToken = generateSecret('inv');
    const inviteExpiresAt = new Date(Date.now() + INVITE_TTL_SECONDS * 1000);
    try {
      const operator = await this.dataSource.transaction(async (manager) => {
        if (await this.operators.findByEmail(request.email.trim(), manager)) throw duplicateEmail();
        const created = await this.operators.insert(manager, {
          email: request.email.trim(),
          displayName: request.display_name?.trim() || null,
          roles: [...request.roles],
          status: 'active',
          passwordHash: null,
          inviteTokenHash: hashSecret(inviteToken),
          inviteExpiresAt,
          lastLoginAt: null,
        });
        await this.audit.record(manager, { principal: ctx.principal, action: 'operator.create', targetType: 'operator', targetId: created.id, reason: ctx.reason, after: toOperatorResponse(created), meta: ctx });
        return created;
      });
      return { operator: toOperatorResponse(operator), invite_token: inviteToken, invite_expires_at: inviteExpiresAt.toISOString() };
    } catch (error) {
      if (isUniqueViolation(error, 'uq_operators_email_lower')) throw duplicateEmail();
      throw error;
    }
  }

  async list(limit: number | undefined, cursor: string | undefined): Promise<OperatorPageResponse> {
    const page = await this.operators.page(limit ?? DEFAULT_PAGE_SIZE, cursor);
    return toPageResponse(page, toOperatorResponse);
  }

  async get(id: string): Promise<OperatorResponse> {
    const operator = await this.operators.findById(id);
    if (!operator) throw notFound();
    return toOperatorResponse(operator);
  }

  /**
   * Roles, status, display name. Disabling or changing roles ends the operator's access at once:
   * tokens refused from the next request, refresh tokens deleted, impersonations stopped.
   */
  async update(id: string, request: UpdateOperatorRequest, ctx: MutationContext): Promise<OperatorResponse> {
    // IsOptional lets null through: null roles or status mean "unchanged", a null display name clears it.
    if (request.roles == null && request.status == null && request.display_name === undefined) {
      throw new DomainError('VALIDATION_FAILED', 'Nothing to change', { details: [{ path: '', message: 'give at least one of roles, status, display_name' }] });
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [OPERATORS_LOCK]);
      const operator = await this.operators.findById(id, manager, { lock: true });
      if (!operator) throw notFound();
      const before = toOperatorResponse(operator);
      const roles = request.roles ? normaliseRoles(request.roles) : operator.roles;
      const status = request.status ?? operator.status;
      const rolesChanged = !sameRoles(roles, operator.roles);
      const disabling = status === 'disabled' && operator.status !== 'disabled';

      if (disabling && isSelf(ctx.principal, operator.id)) throw new DomainError('CONFLICT', 'You cannot disable yourself');
      await this.keepAnActiveAdmin(manager, operator, roles, status);

      operator.roles = roles;
      operator.status = status;
      if (request.display_name !== undefined) operator.displayName = request.display_name?.trim() || null;
      const saved = await this.operators.save(manager, operator);
      const after = toOperatorResponse(saved);
      await this.audit.record(manager, { principal: ctx.principal, action: 'operator.update', targetType: 'operator', targetId: operator.id, reason: ctx.reason, before, after, meta: ctx });
      if (rolesChanged || disabling) await this.endAccess(manager, operator.id, ctx);
      return after;
    });
  }

  /** Sets the password of an invited operator; the invite works once and expires after 72 h. */
  async acceptInvite(inviteToken: string, password: string, meta: RequestMeta): Promise<OperatorResponse> {
    const inviteTokenHash = hashSecret(inviteToken);
    const invalid = () => new DomainError('UNAUTHENTICATED', 'Invalid or expired invite token');
    const operator = await this.operators.findByInviteHash(inviteTokenHash);
    if (!operator || operator.status !== 'active' || !operator.inviteExpiresAt || operator.inviteExpiresAt.getTime() <= Date.now()) throw invalid();
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (manager) => {
      const before = toOperatorResponse(operator);
      // Conditional on the same invite still being current: two concurrent accepts, one wins.
      if (!(await this.operators.acceptInvite(manager, operator.id, inviteTokenHash, passwordHash, new Date()))) throw invalid();
      const accepted = await this.operators.findById(operator.id, manager);
      if (!accepted) throw invalid();
      const after = toOperatorResponse(accepted);
      // The invitee acts for themself here: no token yet, the invite token is the credential.
      const principal: Principal = { kind: 'operator', id: operator.id, roles: operator.roles, breakGlass: false, tokenId: 'invite' };
      await this.audit.record(manager, { principal, action: 'operator.accept_invite', targetType: 'operator', targetId: operator.id, before, after, meta });
      return after;
    });
  }

  /** Refuses (409) a change that would leave no active OperatorAdmin able to sign in. */
  private async keepAnActiveAdmin(manager: EntityManager, operator: OperatorEntity, roles: OperatorRole[], status: string): Promise<void> {
    const isActiveAdmin = (r: OperatorRole[], s: string) => s === 'active' && operator.passwordHash !== null && r.includes('OperatorAdmin');
    if (!isActiveAdmin(operator.roles, operator.status) || isActiveAdmin(roles, status)) return;
    if ((await this.operators.countActiveAdmins(manager, operator.id)) === 0) {
      throw new DomainError('CONFLICT', 'This would leave no active OperatorAdmin');
    }
  }

  /** Revocations happen before the commit: should it fail, the operator merely signs in again. */
  private async endAccess(manager: EntityManager, operatorId: string, ctx: MutationContext): Promise<void> {
    await this.sessions.revokeSubject(operatorId);
    await this.refreshTokens.revokeAll(operatorId);
    await this.impersonation.endAllOf(manager, operatorId, ctx);
  }
}

function normaliseRoles(roles: OperatorRole[]): OperatorRole[] {
  return [...new Set(roles)];
}

function sameRoles(a: readonly OperatorRole[], b: readonly OperatorRole[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}

function isSelf(principal: Principal, operatorId: string): boolean {
  return principal.kind === 'operator' && principal.id === operatorId;
}
