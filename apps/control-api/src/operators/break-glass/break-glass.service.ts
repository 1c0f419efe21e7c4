import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type MutationContext, SessionStore } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { BreakGlassActivationResponse } from './break-glass.dto';

/**
 * BreakGlassAdmin powers are inert until activated with a reason; the activation lives in
 * Redis with its own expiry, and the guard audits every request made under it.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
  ) {}

  async activate(ttlSeconds: number, ctx: MutationContext): Promise<BreakGlassActivationResponse> {
    const { principal } = ctx;
    if (principal.kind !== 'operator' || !principal.roles.includes('BreakGlassAdmin')) throw new DomainError('FORBIDDEN', 'Only a BreakGlassAdmin can activate break-glass');
    const activationId = randomUUID();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
    const activation = { activation_id: activationId, expires_at: expiresAt };
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        principal,
        action: 'break_glass.activate',
        targetType: 'break_glass_activation',
        targetId: activationId,
        reason: ctx.reason,
        after: { ...activation, operator_id: principal.id, ttl_seconds: ttlSeconds },
        meta: ctx,
      }),
    );
    // Powers are granted only after the activation is on the record.
    await this.sessions.activateBreakGlass(principal.id, activationId, ttlSeconds);
    return activation;
  }
}
