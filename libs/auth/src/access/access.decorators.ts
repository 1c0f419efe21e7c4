import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@orch/contracts';
import type { RequestMeta } from '../audit/audit.service';
import { ACCESS_RULES, type AccessRuleName } from './access-rules';
import type { Principal } from './principal';

export const ACCESS_RULE_KEY = 'orch:access-rule';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The access decision of a handler: a rule of ACCESS_RULES (public ones included). */
export function Access(name: AccessRuleName): MethodDecorator {
  const rule = ACCESS_RULES[name];
  return applyDecorators(SetMetadata(ACCESS_RULE_KEY, name), ...('public' in rule && rule.public ? [] : [ApiBearerAuth()]));
}

/** The verified caller (set by AuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'Missing, invalid or expired token');
  return principal;
});

/** Request id and client address, for audit rows. */
export const CurrentRequestMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  return { requestId: String(request.id), ip: request.ip ?? null };
});

export const REASON_HEADER = 'x-reason';
const MAX_REASON_LENGTH = 500;

/** The reason of a mutation, from `X-Reason` or a `reason` body field; REASON_REQUIRED otherwise. */
export function reasonOf(request: FastifyRequest): string {
  const header = request.headers[REASON_HEADER];
  const fromBody = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>)['reason'] : undefined;
  const reason = (Array.isArray(header) ? header[0] : header) ?? (typeof fromBody === 'string' ? fromBody : undefined);
  const trimmed = reason?.trim();
  if (!trimmed) throw new DomainError('REASON_REQUIRED', 'This change needs a reason: an X-Reason header or a "reason" field');
  if (trimmed.length > MAX_REASON_LENGTH) throw new DomainError('VALIDATION_FAILED', 'Reason is too long', { details: [{ path: '/reason', message: `must be at most ${MAX_REASON_LENGTH} characters` }] });
  return trimmed;
}

/** Everything an audited mutation needs from the request: who, why, request id and IP. */
export interface MutationContext extends RequestMeta {
  principal: Principal;
  reason: string;
}

export const Mutation = createParamDecorator((_: unknown, ctx: ExecutionContext): MutationContext => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new DomainError('UNAUTHENTICATED', 'Missing, invalid or expired token');
  return { principal: request.principal, reason: reasonOf(request), requestId: String(request.id), ip: request.ip ?? null };
});

/** OpenAPI: document the reason header on mutating routes. */
export const ApiReason = (): MethodDecorator => ApiHeader({ name: 'X-Reason', required: false, description: 'Why this change is made (or a "reason" body field); required.' });
