import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, MoreThan } from 'typeorm';
import { AuditService, CONTROL_AUDIENCE, EXEC_AUDIENCE, IMPERSONATION_EXEC_SCOPES, IMPERSONATION_SCOPES, type MutationContext, type Principal, SessionStore, TokenIssuer } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { ImpersonationSessionEntity } from '@orch/data';
import { isUuid } from '../common/page-cursor';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type ImpersonationSessionResponse, type StartedImpersonationResponse, toImpersonationSessionResponse } from './dto/impersonation.dto';

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Resource not found');
}

/**
 * Signed impersonation: an operator acts as a workspace through a token that names both
 * (sub workspace:<id>, act.sub operator). The session is live in Redis while it runs, so
 * stopping it refuses the token at the next request, not at its exp.
 */
@Injectable()
export class ImpersonationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
    private readonly issuer: TokenIssuer,
    private readonly workspaces: WorkspacesService,
  ) {}

  async start(workspaceId: string, ttlSeconds: number, ctx: MutationContext): Promise<StartedImpersonationResponse> {
    const operatorId = operatorOf(ctx.principal);
    // Unknown, or of another environment than this deployment's: not found either way.
    await this.workspaces.requireWorkspace(workspaceId);
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const session = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ImpersonationSessionEntity);
      const created = await repository.save(repository.create({ workspaceId, operatorId, reason: ctx.reason, expiresAt, endedAt: null }));
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'impersonation.start',
        workspaceId,
        targetType: 'impersonation_session',
        targetId: created.id,
        reason: ctx.reason,
        after: toImpersonationSessionResponse(created),
        meta: ctx,
      });
      return created;
    });
    // Granted only once the start is committed and audited: a failure here leaves a session nobody holds a token for.
    await this.sessions.startImpersonation(session.id, operatorId, ttlSeconds);
    const identity = { typ: 'impersonation', sub: `workspace:${workspaceId}`, tid: workspaceId, sid: session.id, act: { sub: operatorId } } as const;
    const issued = await this.issuer.issue({ ...identity, aud: CONTROL_AUDIENCE, scope: IMPERSONATION_SCOPES.join(' ') }, ttlSeconds);
    // The same session on the execution plane: a second token (tokens have one audience), ending with the first.
    const execTtl = Math.max(1, issued.claims.exp - Math.floor(Date.now() / 1000));
    const exec = await this.issuer.issue({ ...identity, aud: EXEC_AUDIENCE, scope: IMPERSONATION_EXEC_SCOPES.join(' ') }, execTtl);
    return { id: session.id, token: issued.token, exec_token: exec.token, expires_at: expiresAt.toISOString(), workspace_id: workspaceId };
  }

  /** The operator who started it, or an admin, may stop it; anyone else sees a 404. */
  async stop(sessionId: string, ctx: MutationContext): Promise<ImpersonationSessionResponse> {
    const callerId = operatorOf(ctx.principal);
    if (!isUuid(sessionId)) throw notFound();
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ImpersonationSessionEntity);
      const session = await repository.findOne({ where: { id: sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!session || (session.operatorId !== callerId && !isAdmin(ctx.principal))) throw notFound();
      if (session.endedAt) throw new DomainError('CONFLICT', 'This impersonation session has already been stopped');
      const before = toImpersonationSessionResponse(session);
      const ended = await this.end(manager, session, ctx, before);
      return ended;
    });
  }

  /**
   * Ends every running session of an operator (disabled, or roles changed), in the caller's
   * transaction: each gets ended_at, its Redis entry goes and an impersonation.stop row.
   */
  async endAllOf(manager: EntityManager, operatorId: string, ctx: MutationContext): Promise<number> {
    const running = await manager.getRepository(ImpersonationSessionEntity).find({
      where: { operatorId, endedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      lock: { mode: 'pessimistic_write' },
    });
    for (const session of running) await this.end(manager, session, ctx, toImpersonationSessionResponse(session));
    return running.length;
  }

  private async end(manager: EntityManager, session: ImpersonationSessionEntity, ctx: MutationContext, before: ImpersonationSessionResponse): Promise<ImpersonationSessionResponse> {
    session.endedAt = new Date();
    const saved = await manager.getRepository(ImpersonationSessionEntity).save(session);
    const after = toImpersonationSessionResponse(saved);
    await this.audit.record(manager, {
      principal: ctx.principal,
      action: 'impersonation.stop',
      workspaceId: session.workspaceId,
      targetType: 'impersonation_session',
      targetId: session.id,
      reason: ctx.reason,
      before,
      after,
      meta: ctx,
    });
    // A revocation goes out before the commit: if the commit then fails, the token is dead anyway.
    await this.sessions.stopImpersonation(session.id);
    return after;
  }
}

function operatorOf(principal: Principal): string {
  // The access matrix lets only operators reach these routes; anything else is a wiring mistake.
  if (principal.kind !== 'operator') throw new DomainError('FORBIDDEN', 'Only operators can impersonate');
  return principal.id;
}

/** OperatorAdmin, or BreakGlassAdmin while its activation runs (the matrix's admin powers). */
function isAdmin(principal: Principal): boolean {
  return principal.kind === 'operator' && (principal.roles.includes('OperatorAdmin') || (principal.roles.includes('BreakGlassAdmin') && principal.breakGlass));
}
