import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { auditActorOf, AuditService, type MutationContext, type Principal } from '@orch/auth';
import { ConnectorTypeRegistry, SchemaValidator } from '@orch/connectors';
import { DomainError, type FieldError } from '@orch/contracts';
import { DEFAULT_POLICY, type WebhookRouteEntity, type WebhookVerification } from '@orch/data';
import type { OrchEnv } from '@orch/platform';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { isUniqueViolation } from '../common/database-errors';
import { ConfigsRepository } from '../configs/configs.repository';
import { ConfigsService } from '../configs/configs.service';
import { ConnectorsRepository } from '../connectors/connectors.repository';
import { PoliciesRepository } from '../policies/policies.repository';
import { defaultPolicyShape, effectivePolicy, type PolicyShape } from '../policies/policy-shape';
import { SecretRefsRepository } from '../secrets/secret-refs.repository';
import { generateRouteKey } from '../webhook-routes/webhook-route-rules';
import { WebhookRoutesRepository } from '../webhook-routes/webhook-routes.repository';
import { mergeSettings } from '../workspaces/workspace-settings';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type BundlePlan, buildPlan, crossCheck, type CurrentState, type PlannedAction } from './bundle-plan';
import { CONNECTOR_REF_KEY, type DesiredBundle, validateBundle } from './bundle-validation';
import { BundlesRepository } from './bundles.repository';

/** The bundle document as export writes it (seed §1.5 plus webhook routes and identity names). */
export interface ExportedBundle {
  tenant: { name: string };
  policies: Array<{ name: string } & PolicyShape>;
  secret_refs: Array<{ name: string; ref: string }>;
  connectors: Array<{ name: string; type: string; policy: string; config: Record<string, unknown>; secret_ref?: string }>;
  configs: Array<{ name: string; version: string; data: unknown; activate: boolean }>;
  webhook_routes: Array<{ provider: string; signing_secret_ref: string; provider_account_id?: string; verification?: Record<string, unknown>; target: unknown; enabled: boolean }>;
  service_identities: Array<{ name: string; audience: string; scopes: string[] }>;
}

export interface ImportResult {
  applied: boolean;
  plan: BundlePlan;
}

function invalid(details: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Bundle validation failed', { details });
}

/**
 * Export and import of a workspace's configuration. Import validates the whole bundle (shape,
 * per-resource rules, references against the workspace), plans desired vs current, and applies
 * the plan in one transaction: every change audited with the reason, plus one `bundle.import` row.
 * It only creates and updates; nothing absent from the bundle is deleted.
 */
@Injectable()
export class BundlesService {
  private readonly env: OrchEnv;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly configs: ConfigsService,
    private readonly audit: AuditService,
    private readonly types: ConnectorTypeRegistry,
    private readonly validator: SchemaValidator,
    @Inject(CONTROL_API_CONFIG) config: ControlApiConfig,
  ) {
    this.env = config.ORCH_ENV;
  }

  async export(principal: Principal, workspaceId: string): Promise<ExportedBundle> {
    const workspace = await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const contents = await BundlesRepository.of(this.dataSource.manager).contents(workspace.id);
    const policyNames = new Map(contents.policies.map((p) => [p.id, p.name]));
    const activeIds = new Set(contents.pointers.map((p) => p.activeConfigId));
    return {
      tenant: { name: workspace.name },
      policies: contents.policies.map((p) => ({ name: p.name, ...effectivePolicy(p) })),
      secret_refs: contents.secretRefs.map((r) => ({ name: r.name, ref: r.ref })),
      connectors: contents.connectors.map((c) => {
        const own = c.secretRefs[CONNECTOR_REF_KEY];
        return {
          name: c.name,
          type: c.type,
          policy: (c.policyId ? policyNames.get(c.policyId) : undefined) ?? DEFAULT_POLICY.name,
          config: c.config,
          ...(own !== undefined ? { secret_ref: own } : {}),
        };
      }),
      configs: contents.configs.map((c) => ({ name: c.name, version: c.version, data: c.data, activate: activeIds.has(c.id) })),
      webhook_routes: contents.routes.map((r) => ({
        provider: r.provider,
        signing_secret_ref: r.signingSecretRef,
        ...(r.providerAccountId !== null ? { provider_account_id: r.providerAccountId } : {}),
        ...exportVerification(r.verification),
        target: r.target,
        enabled: r.enabled,
      })),
      service_identities: contents.identities.filter((i) => i.revokedAt === null).map((i) => ({ name: i.name, audience: i.audience, scopes: [...i.scopes] })),
    };
  }

  /** The plan only: reads, writes nothing, needs no reason. */
  async plan(rawBundle: unknown): Promise<ImportResult> {
    const bundle = this.validate(rawBundle);
    const { plan } = await this.prepare(this.dataSource.manager, bundle);
    return { applied: false, plan };
  }

  /** Plans and applies inside one transaction: any failure leaves nothing behind. */
  async apply(rawBundle: unknown, ctx: MutationContext): Promise<ImportResult> {
    const bundle = this.validate(rawBundle);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const { plan, actions, workspaceId: existingId } = await this.prepare(manager, bundle);
        if (existingId !== null && actions.length === 0) return { applied: true, plan };
        const workspaceId =
          existingId ?? (await this.workspaces.insertWithDefaultPolicy(manager, { name: bundle.tenant.name, settings: mergeSettings(undefined, undefined) }, ctx)).id;
        for (const action of actions) await this.applyAction(manager, workspaceId, action, ctx);
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'bundle.import',
          workspaceId,
          targetType: 'workspace',
          targetId: workspaceId,
          reason: ctx.reason,
          before: null,
          after: {
            workspace: plan.workspace.action,
            created: plan.create.map((i) => `${i.kind}:${i.name}`),
            updated: plan.update.map((i) => `${i.kind}:${i.name}`),
            unchanged: plan.unchanged.length,
          },
          meta: ctx,
        });
        return { applied: true, plan: { ...plan, workspace: { ...plan.workspace, id: workspaceId } } };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_workspaces_name')) throw new DomainError('CONFLICT', `Workspace ${bundle.tenant.name} was created concurrently; import again`);
      throw error;
    }
  }

  private validate(rawBundle: unknown): DesiredBundle {
    const { bundle, errors } = validateBundle(rawBundle, { validator: this.validator, types: this.types, env: this.env });
    if (!bundle) throw invalid(errors);
    return bundle;
  }

  private async prepare(manager: EntityManager, bundle: DesiredBundle): Promise<{ plan: BundlePlan; actions: PlannedAction[]; workspaceId: string | null }> {
    const repository = BundlesRepository.of(manager);
    const workspace = await repository.findWorkspaceByName(bundle.tenant.name);
    const current = await this.currentState(repository, workspace);
    const problems = crossCheck(bundle, current);
    if (problems.length > 0) throw invalid(problems);
    return { ...buildPlan(bundle, current), workspaceId: workspace?.id ?? null };
  }

  private async currentState(repository: BundlesRepository, workspace: { id: string; name: string } | null): Promise<CurrentState> {
    const accountsElsewhere = await repository.accountsOutside(workspace?.id ?? null);
    if (!workspace) {
      return {
        workspace: null,
        policies: new Map([[DEFAULT_POLICY.name, { id: null, shape: defaultPolicyShape() }]]),
        secretRefs: new Map(),
        connectors: new Map(),
        configs: new Map(),
        activeVersions: new Map(),
        routes: new Map(),
        accountsElsewhere,
      };
    }
    const contents = await repository.contents(workspace.id);
    const policyNames = new Map(contents.policies.map((p) => [p.id, p.name]));
    const versionsById = new Map(contents.configs.map((c) => [c.id, c]));
    return {
      workspace: { id: workspace.id, name: workspace.name },
      policies: new Map(contents.policies.map((p) => [p.name, { id: p.id, shape: effectivePolicy(p) }])),
      secretRefs: new Map(contents.secretRefs.map((r) => [r.name, r])),
      connectors: new Map(
        contents.connectors.map((c) => [
          c.name,
          { id: c.id, type: c.type, policy: (c.policyId ? policyNames.get(c.policyId) : undefined) ?? DEFAULT_POLICY.name, config: c.config, secretRefs: c.secretRefs },
        ]),
      ),
      configs: new Map(contents.configs.map((c) => [`${c.name}@${c.version}`, c])),
      activeVersions: new Map(contents.pointers.flatMap((p) => {
        const active = versionsById.get(p.activeConfigId);
        return active ? [[p.name, active.version] as const] : [];
      })),
      routes: new Map(contents.routes.map((r) => [`${r.provider}:${r.providerAccountId ?? r.signingSecretRef}`, r])),
      accountsElsewhere,
    };
  }

  private async applyAction(manager: EntityManager, workspaceId: string, action: PlannedAction, ctx: MutationContext): Promise<void> {
    const record = (verb: string, targetType: string, targetId: string, before: unknown, after: unknown) =>
      this.audit.record(manager, { principal: ctx.principal, action: `${targetType}.${verb}`, workspaceId, targetType, targetId, reason: ctx.reason, before, after, meta: ctx });

    switch (action.kind) {
      case 'policy': {
        const policies = PoliciesRepository.of(manager);
        const { shape, name } = action.item;
        const values = { timeout: shape.timeout, retry: shape.retry, circuitBreaker: shape.circuit_breaker, rateLimit: shape.rate_limit, degradation: shape.degradation };
        // A policy of a workspace created by this import (its `default`) exists by now, without an id in the plan.
        const existing = action.current ? await policies.findOne(workspaceId, { name }) : null;
        if (existing) {
          await policies.update(workspaceId, { id: existing.id }, values);
          await record('update', 'policy', existing.id, { name, ...action.current?.shape }, { name, ...shape });
        } else {
          const created = await policies.insert(workspaceId, { name, ...values });
          await record('create', 'policy', created.id, null, { name, ...shape });
        }
        return;
      }
      case 'secret_ref': {
        const refs = SecretRefsRepository.of(manager);
        const { name, ref } = action.item;
        if (action.current) {
          await refs.update(workspaceId, { id: action.current.id }, { ref });
          await record('update', 'secret_ref', action.current.id, { name, ref: action.current.ref }, { name, ref });
        } else {
          const created = await refs.insert(workspaceId, { name, ref });
          await record('create', 'secret_ref', created.id, null, { name, ref });
        }
        return;
      }
      case 'connector': {
        const { item } = action;
        const policy = await PoliciesRepository.of(manager).findOne(workspaceId, { name: item.policy });
        if (!policy) throw invalid([{ path: `${item.at}/policy`, message: `no policy named ${item.policy}` }]);
        const connectors = ConnectorsRepository.of(manager);
        // Audit rows name refs under `refs`: the audit redactor blanks any key containing "secret".
        const after = { name: item.name, type: item.type, policy: item.policy, config: item.config, refs: item.secretRefs };
        if (action.currentId) {
          await connectors.update(workspaceId, { id: action.currentId }, { config: item.config as never, policyId: policy.id, secretRefs: item.secretRefs });
          const before = action.before ?? {};
          await record('update', 'connector', action.currentId, { name: item.name, type: before['type'], policy: before['policy'], config: before['config'], refs: before['secret_refs'] }, after);
        } else {
          const created = await connectors.insert(workspaceId, { name: item.name, type: item.type, config: item.config, policyId: policy.id, secretRefs: item.secretRefs });
          await record('create', 'connector', created.id, null, after);
        }
        return;
      }
      case 'config': {
        const { item } = action;
        const created = await ConfigsRepository.of(manager).insert(workspaceId, {
          name: item.name,
          version: item.version,
          data: item.data,
          checksum: item.checksum,
          createdBy: auditActorOf(ctx.principal).actorId,
        });
        await record('create', 'config', created.id, null, { name: item.name, version: item.version, checksum: item.checksum, activated: false });
        return;
      }
      case 'config_activation': {
        const { item } = action;
        const target = await ConfigsRepository.of(manager).findVersion(workspaceId, item.name, item.version);
        if (!target) throw invalid([{ path: `${item.at}/version`, message: `config ${item.name} has no version ${item.version}` }]);
        const move = await this.configs.activateLocked(manager, workspaceId, target, ctx);
        await record('activate', 'config', target.id, { name: item.name, active_version: action.fromVersion }, { name: item.name, version: item.version, checksum: target.checksum, previous_version: move.previousVersion });
        return;
      }
      case 'webhook_route': {
        const { item } = action;
        const routes = WebhookRoutesRepository.of(manager);
        const values = {
          providerAccountId: item.providerAccountId,
          signingSecretRef: item.signingSecretRef,
          verification: item.verification,
          target: item.target,
          enabled: item.enabled,
        };
        if (action.current) {
          await routes.update(workspaceId, { id: action.current.id }, values);
          await record('update', 'webhook_route', action.current.id, routeAudit(action.current), routeAudit({ ...action.current, ...values }));
        } else {
          const created = await routes.insert(workspaceId, {
            provider: item.provider,
            routeKey: generateRouteKey(),
            previousSigningSecretRef: null,
            previousSecretExpiresAt: null,
            ...values,
          });
          await record('create', 'webhook_route', created.id, null, routeAudit(created));
        }
        return;
      }
    }
  }
}

/** As WebhookRoutesService's audit rows: ref names under keys the redactor keeps, never the route key. */
function routeAudit(route: Pick<WebhookRouteEntity, 'provider' | 'providerAccountId' | 'signingSecretRef' | 'verification' | 'target' | 'enabled'>): Record<string, unknown> {
  return {
    provider: route.provider,
    provider_account_id: route.providerAccountId,
    signing_ref: route.signingSecretRef,
    verification: route.verification,
    target: route.target,
    enabled: route.enabled,
  };
}

/** Only hmac-sha256 routes carry settings in the bundle; the others' scheme is fixed by the provider. */
function exportVerification(verification: WebhookVerification): { verification?: Record<string, unknown> } {
  if (verification.scheme !== 'hmac-sha256') return {};
  return {
    verification: {
      header_name: verification.header,
      encoding: verification.encoding,
      event_id_path: verification.event_id_path,
      ...(verification.prefix !== undefined ? { prefix: verification.prefix } : {}),
    },
  };
}
