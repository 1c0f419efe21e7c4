import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { ConnectorTypeRegistry } from '@orch/connectors';
import { DomainError, type FieldError } from '@orch/contracts';
import type { Page, WebhookRouteEntity } from '@orch/data';
import type { OrchEnv } from '@orch/platform';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { isUniqueViolation } from '../common/database-errors';
import { isUuid } from '../common/page-cursor';
import { WorkspacesService, type PageRequest } from '../workspaces/workspaces.service';
import type { CreateWebhookRouteDto, UpdateWebhookRouteDto } from './dto/webhook-route.dto';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  generateRouteKey,
  type HmacVerificationInput,
  type TargetInput,
  targetProblems,
  toStoredTarget,
  toStoredVerification,
  verificationProblems,
  type WebhookProvider,
} from './webhook-route-rules';
import { PROVIDER_ACCOUNT_CONSTRAINT, ROUTE_KEY_CONSTRAINT, WebhookRoutesRepository } from './webhook-routes.repository';

/** A fresh 256-bit key colliding is not going to happen; one retry covers the impossible. */
const ROUTE_KEY_ATTEMPTS = 2;

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Webhook route not found');
}

function invalid(details: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details });
}

function accountTaken(provider: string): DomainError {
  return new DomainError('CONFLICT', `Another ${provider} route already uses this provider account id`, { details: [{ path: '/provider_account_id', message: 'is taken' }] });
}

/** What an audit row shows of a route: ref names and shape, never a secret value nor the route key. */
function snapshot(route: WebhookRouteEntity): Record<string, unknown> {
  return {
    provider: route.provider,
    provider_account_id: route.providerAccountId,
    // Ref names, not values; keyed so the audit redactor (which blanks any *secret* key) keeps them.
    signing_ref: route.signingSecretRef,
    previous_signing_ref: route.previousSigningSecretRef,
    previous_signing_ref_expires_at: route.previousSecretExpiresAt?.toISOString() ?? null,
    verification: route.verification,
    target: route.target,
    enabled: route.enabled,
  };
}

@Injectable()
export class WebhookRoutesService {
  private readonly routes: WebhookRoutesRepository;
  private readonly env: OrchEnv;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly connectorTypes: ConnectorTypeRegistry,
    @Inject(CONTROL_API_CONFIG) config: ControlApiConfig,
  ) {
    this.routes = WebhookRoutesRepository.of(dataSource.manager);
    this.env = config.ORCH_ENV;
  }

  async create(workspaceId: string, input: CreateWebhookRouteDto, ctx: MutationContext): Promise<WebhookRouteEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    await this.check(workspaceId, input.provider, { signingSecretRef: input.signing_secret_ref, verification: input.verification, verificationGiven: true, target: input.target });
    if (input.provider_account_id !== undefined && (await this.routes.providerAccountTaken(input.provider, input.provider_account_id))) throw accountTaken(input.provider);

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (manager) => {
          const created = await WebhookRoutesRepository.of(manager).insert(workspaceId, {
            provider: input.provider,
            routeKey: generateRouteKey(),
            providerAccountId: input.provider_account_id ?? null,
            signingSecretRef: input.signing_secret_ref,
            previousSigningSecretRef: null,
            previousSecretExpiresAt: null,
            verification: toStoredVerification(input.provider, input.verification),
            target: toStoredTarget(input.target),
            enabled: input.enabled ?? true,
          });
          await this.audit.record(manager, {
            principal: ctx.principal,
            action: 'webhook_route.create',
            workspaceId,
            targetType: 'webhook_route',
            targetId: created.id,
            reason: ctx.reason,
            before: null,
            after: snapshot(created),
            meta: ctx,
          });
          return created;
        });
      } catch (error) {
        if (isUniqueViolation(error, PROVIDER_ACCOUNT_CONSTRAINT)) throw accountTaken(input.provider);
        if (isUniqueViolation(error, ROUTE_KEY_CONSTRAINT) && attempt < ROUTE_KEY_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  async list(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<WebhookRouteEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.routes.find(workspaceId, { limit: page.limit, cursor: page.cursor });
  }

  async get(principal: Principal, workspaceId: string, routeId: string): Promise<WebhookRouteEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const route = isUuid(routeId) ? await this.routes.findOne(workspaceId, { id: routeId }) : null;
    if (!route) throw notFound();
    return route;
  }

  /**
   * Changes the given fields. The provider is immutable. A new signing_secret_ref rotates: the
   * current ref becomes the previous one, accepted until now + rotation_grace_seconds.
   */
  async update(workspaceId: string, routeId: string, input: UpdateWebhookRouteDto, ctx: MutationContext): Promise<WebhookRouteEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!isUuid(routeId)) throw notFound();
    const nulls = (['signing_secret_ref', 'verification', 'target', 'enabled', 'rotation_grace_seconds'] as const).filter((field) => input[field] === null);
    if (nulls.length > 0) throw invalid(nulls.map((field) => ({ path: `/${field}`, message: 'must not be null' })));
    if (input.provider !== undefined) throw invalid([{ path: '/provider', message: 'is immutable; delete the route and create a new one' }]);

    try {
      return await this.dataSource.transaction(async (manager) => {
        const routes = WebhookRoutesRepository.of(manager);
        const current = await routes.findOneForUpdate(workspaceId, routeId);
        if (!current) throw notFound();
        const provider = current.provider as WebhookProvider;
        const rotating = input.signing_secret_ref !== undefined && input.signing_secret_ref !== current.signingSecretRef;
        if (input.rotation_grace_seconds !== undefined && !rotating) {
          throw invalid([{ path: '/rotation_grace_seconds', message: 'applies only with a new signing_secret_ref' }]);
        }
        await this.check(workspaceId, provider, {
          signingSecretRef: rotating ? input.signing_secret_ref : undefined,
          verification: input.verification,
          verificationGiven: input.verification !== undefined,
          target: input.target,
        });
        const account = input.provider_account_id;
        if (typeof account === 'string' && account !== current.providerAccountId && (await routes.providerAccountTaken(provider, account, current.id))) throw accountTaken(provider);

        const grace = input.rotation_grace_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
        await routes.update(workspaceId, { id: routeId }, {
          ...(rotating && input.signing_secret_ref !== undefined
            ? {
                signingSecretRef: input.signing_secret_ref,
                previousSigningSecretRef: grace > 0 ? current.signingSecretRef : null,
                previousSecretExpiresAt: grace > 0 ? new Date(Date.now() + grace * 1000) : null,
              }
            : {}),
          ...(account !== undefined ? { providerAccountId: account } : {}),
          ...(input.verification !== undefined ? { verification: toStoredVerification(provider, input.verification) } : {}),
          ...(input.target !== undefined ? { target: toStoredTarget(input.target) } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        });
        const updated = await routes.findOne(workspaceId, { id: routeId });
        if (!updated) throw notFound();
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'webhook_route.update',
          workspaceId,
          targetType: 'webhook_route',
          targetId: routeId,
          reason: ctx.reason,
          before: snapshot(current),
          after: { ...snapshot(updated), ...(rotating ? { rotation_grace_seconds: grace } : {}) },
          meta: ctx,
        });
        return updated;
      });
    } catch (error) {
      if (isUniqueViolation(error, PROVIDER_ACCOUNT_CONSTRAINT)) throw accountTaken('provider');
      throw error;
    }
  }

  async delete(workspaceId: string, routeId: string, ctx: MutationContext): Promise<void> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!isUuid(routeId)) throw notFound();
    await this.dataSource.transaction(async (manager) => {
      const routes = WebhookRoutesRepository.of(manager);
      const current = await routes.findOneForUpdate(workspaceId, routeId);
      if (!current) throw notFound();
      await routes.delete(workspaceId, { id: routeId });
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'webhook_route.delete',
        workspaceId,
        targetType: 'webhook_route',
        targetId: routeId,
        reason: ctx.reason,
        before: snapshot(current),
        after: null,
        meta: ctx,
      });
    });
  }

  /** Shape rules first (all reported together), then what the route names must exist in the workspace. */
  private async check(
    workspaceId: string,
    provider: string,
    input: { signingSecretRef?: string; verification?: HmacVerificationInput; verificationGiven: boolean; target?: TargetInput },
  ): Promise<void> {
    const problems: FieldError[] = [
      ...(input.verificationGiven ? verificationProblems(provider, input.verification) : []),
      ...(input.target ? targetProblems(input.target, this.env) : []),
    ];
    if (problems.length > 0) throw invalid(problems);
    if (input.signingSecretRef !== undefined && !(await this.routes.secretRefExists(workspaceId, input.signingSecretRef))) {
      problems.push({ path: '/signing_secret_ref', message: `no secret ref named ${input.signingSecretRef} in this workspace` });
    }
    if (input.target?.kind === 'connector' && input.target.connector !== undefined) {
      problems.push(...(await this.connectorTargetProblems(workspaceId, input.target.connector, input.target.operation)));
    }
    if (problems.length > 0) throw invalid(problems);
  }
  /** The target connector must exist and offer the operation (its type's, or an http connector's own). */
  private async connectorTargetProblems(workspaceId: string, name: string, operation: string | undefined): Promise<FieldError[]> {
    const connector = await this.routes.findConnector(workspaceId, name);
    if (!connector) return [{ path: '/target/connector', message: `no connector named ${name} in this workspace` }];
    const definition = this.connectorTypes.get(connector.type);
    const offered = definition ? this.connectorTypes.operationsOf(definition, connector.config).map((op) => op.operation_id) : [];
    if (operation !== undefined && !offered.includes(operation)) {
      return [{ path: '/target/operation', message: `connector ${name} has no operation ${operation} (it offers: ${offered.join(', ') || 'none'})` }];
    }
    return [];
  }
}
