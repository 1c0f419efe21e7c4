import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@orch/contracts';
import { PLATFORM_ROUTE_KEY, type RequestLogContext } from '@orch/platform';
import { type AuthenticatedRequest, ACCESS_RULE_KEY } from './access/access.decorators';
import { ACCESS_RULES, type AccessRuleName } from './access/access-rules';
import { authorize } from './access/authorize';
import { confinedWorkspace, type Principal } from './access/principal';
import { isScope } from './access/scopes';
import { AuditService } from './audit/audit.service';
import { AUTH_OPTIONS, type AuthOptions, TOKEN_VERIFIER } from './auth.options';
import { SessionStore } from './sessions/session-store';
import type { OrchestratorClaims } from './tokens/claims';
import type { TokenVerifier } from './tokens/token-verifier';

function unauthenticated(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Missing, invalid or expired token');
}

/**
 * The global guard of every app. Fails closed: a handler without an access rule is refused.
 * Otherwise: bearer token → verified claims → live checks in Redis (revoked subject, stopped
 * impersonation, break-glass activation) → the rule's decision. Denials are audited.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly sessions: SessionStore,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    // Platform routes (health, ready, metrics) come from libs/platform, outside the matrix.
    if (this.reflector.getAllAndOverride<boolean>(PLATFORM_ROUTE_KEY, targets)) return true;
    const ruleName = this.reflector.getAllAndOverride<AccessRuleName | undefined>(ACCESS_RULE_KEY, targets);
    if (ruleName === undefined) throw new DomainError('FORBIDDEN', 'This route has no access rule');
    const rule = ACCESS_RULES[ruleName];
    if ('public' in rule && rule.public) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.options.mode === 'disabled' ? ({ kind: 'anonymous' } as const) : await this.authenticate(request);
    request.principal = principal;
    const workspaceParam = (request.params as Record<string, string | undefined>)['workspaceId'];
    (request.raw as RequestLogContext).tenantId = confinedWorkspace(principal) ?? workspaceParam;

    const decision = authorize(rule, principal, workspaceParam);
    const meta = { requestId: String(request.id), ip: request.ip ?? null };
    if (decision.allow) {
      if (principal.kind === 'operator' && principal.breakGlass && decision.viaBreakGlass) {
        await this.audit.recordStandalone({ principal, action: 'break_glass.request', targetType: 'route', targetId: rule.route, workspaceId: workspaceParam ?? null, meta });
      }
      return true;
    }
    if (decision.reason === 'not_found') throw new DomainError('NOT_FOUND', 'Resource not found');
    await this.audit.recordStandalone({ principal, action: 'access.denied', targetType: 'route', targetId: rule.route, workspaceId: null, after: { reason: decision.reason }, meta });
    throw new DomainError('FORBIDDEN', decision.reason === 'break_glass_inactive' ? 'Break-glass is not active: activate it with a reason first' : 'Not allowed');
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(header) : null;
    if (!match) throw unauthenticated();
    const claims = await this.verifier.verify(match[1]);
    // Live state lives in Redis: without it we cannot tell a revoked token from a good one,
    // so refuse (fail closed) with 503 rather than a 500 that looks like our bug.
    const live = await this.sessions.check(claims.sub, claims.typ === 'impersonation' ? claims.sid : undefined, claims.iat).catch(() => {
      throw new DomainError('UNAVAILABLE', 'Session state is unavailable; retry shortly', { headers: { 'retry-after': '1' } });
    });
    if (live.revoked) throw unauthenticated();
    if (claims.typ === 'impersonation' && !live.impersonationLive) throw unauthenticated();
    return this.principalOf(claims);
  }

  private async principalOf(claims: OrchestratorClaims): Promise<Principal> {
    const scopes = (claims.scope ?? '').split(' ').filter(isScope);
    switch (claims.typ) {
      case 'operator': {
        const roles = claims.roles ?? [];
        const breakGlass = roles.includes('BreakGlassAdmin') && (await this.sessions.breakGlassActivation(claims.sub)) !== null;
        return { kind: 'operator', id: claims.sub, roles, breakGlass, tokenId: claims.jti };
      }
      case 'service':
        return { kind: 'service', id: claims.sub, workspaceId: claims.tid as string, scopes, tokenId: claims.jti };
      case 'impersonation':
        return { kind: 'impersonation', sessionId: claims.sid as string, operatorId: claims.act?.sub as string, workspaceId: claims.tid as string, scopes, tokenId: claims.jti };
    }
  }
}
