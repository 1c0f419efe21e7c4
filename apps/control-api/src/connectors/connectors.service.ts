import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { type ConnectorTypeDefinition, ConnectorTypeRegistry, SchemaValidator, validateConnectorConfig } from '@orch/connectors';
import { DomainError, type FieldError } from '@orch/contracts';
import { type ConnectorEntity, DEFAULT_POLICY, type Page } from '@orch/data';
import { isUniqueViolation } from '../common/database-errors';
import { PoliciesRepository } from '../policies/policies.repository';
import type { PageRequest } from '../workspaces/workspaces.service';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { CONNECTOR_NAME_CONSTRAINT, ConnectorsRepository } from './connectors.repository';
import { applyMergePatch } from './json-merge-patch';

export interface CreateConnectorInput {
  name: string;
  type: string;
  config: Record<string, unknown>;
  policy?: string;
}

export interface UpdateConnectorInput {
  config?: Record<string, unknown>;
  policy?: string;
}

/** A connector with the name of its policy, as every response shows it. */
export interface ConnectorView {
  connector: ConnectorEntity;
  policyName: string;
}

/** A connector's checked values, ready to store. */
interface ResolvedConnector {
  config: Record<string, unknown>;
  policyId: string;
  policyName: string;
  /** JSON Pointer into the config → secret ref name. */
  secretRefs: Record<string, string>;
}

const CONFIG_PATH = '/config';

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Connector not found');
}

function invalid(details: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details });
}

/** What an audit row shows of a connector: ref names, never secret values (the config holds none). */
function snapshot(name: string, type: string, resolved: Pick<ResolvedConnector, 'config' | 'policyName'>): Record<string, unknown> {
  return { name, type, config: resolved.config, policy: resolved.policyName };
}

@Injectable()
export class ConnectorsService {
  private readonly connectors: ConnectorsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly types: ConnectorTypeRegistry,
    private readonly validator: SchemaValidator,
  ) {
    this.connectors = ConnectorsRepository.of(dataSource.manager);
  }

  async listTypes(principal: Principal, workspaceId: string): Promise<readonly ConnectorTypeDefinition[]> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.types.list();
  }

  async create(workspaceId: string, input: CreateConnectorInput, ctx: MutationContext): Promise<ConnectorView> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const definition = this.types.get(input.type);
    if (!definition) throw invalid([{ path: '/type', message: `is not a known connector type (${this.types.list().map((t) => t.type).join(', ')})` }]);
    const resolved = await this.resolve(this.dataSource.manager, workspaceId, definition, input.config, input.policy ?? DEFAULT_POLICY.name);
    if (await this.connectors.findOne(workspaceId, { name: input.name })) throw duplicate(input.name);
    try {
      const connector = await this.dataSource.transaction(async (manager) => {
        const created = await ConnectorsRepository.of(manager).insert(workspaceId, {
          name: input.name,
          type: definition.type,
          config: resolved.config,
          policyId: resolved.policyId,
          secretRefs: resolved.secretRefs,
        });
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'connector.create',
          workspaceId,
          targetType: 'connector',
          targetId: created.id,
          reason: ctx.reason,
          before: null,
          after: snapshot(created.name, created.type, resolved),
          meta: ctx,
        });
        return created;
      });
      return { connector, policyName: resolved.policyName };
    } catch (error) {
      if (isUniqueViolation(error, CONNECTOR_NAME_CONSTRAINT)) throw duplicate(input.name);
      throw error;
    }
  }

  async list(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<ConnectorView>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const found = await this.connectors.find(workspaceId, { limit: page.limit, cursor: page.cursor });
    const names = await PoliciesRepository.of(this.dataSource.manager).namesByIds(
      workspaceId,
      found.items.flatMap((connector) => (connector.policyId ? [connector.policyId] : [])),
    );
    return { items: found.items.map((connector) => ({ connector, policyName: policyNameOf(connector, names) })), nextCursor: found.nextCursor };
  }

  async get(principal: Principal, workspaceId: string, name: string): Promise<ConnectorView> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const connector = await this.connectors.findOne(workspaceId, { name });
    if (!connector) throw notFound();
    return this.view(this.dataSource.manager, connector);
  }

  /** The config patch is merged into the stored config and the result validated as a whole, like a create. */
  async update(workspaceId: string, name: string, input: UpdateConnectorInput, ctx: MutationContext): Promise<ConnectorView> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    return this.dataSource.transaction(async (manager) => {
      const connectors = ConnectorsRepository.of(manager);
      const current = await connectors.findByNameForUpdate(workspaceId, name);
      if (!current) throw notFound();
      const definition = this.types.get(current.type);
      // A stored type this deployment no longer knows cannot be re-validated.
      if (!definition) throw new DomainError('CONFLICT', `Connector type ${current.type} is not available in this deployment`);
      const before = await this.view(manager, current);
      const config = input.config === undefined ? current.config : applyMergePatch(current.config, input.config);
      const resolved = await this.resolve(manager, workspaceId, definition, config, input.policy ?? before.policyName);
      await connectors.update(workspaceId, { id: current.id }, {
        // A jsonb column: TypeORM's deep-partial type does not fit an open record, the value is stored whole.
        config: resolved.config as QueryDeepPartialEntity<Record<string, unknown>>,
        policyId: resolved.policyId,
        secretRefs: resolved.secretRefs,
      });
      const updated = await connectors.findOne(workspaceId, { id: current.id });
      if (!updated) throw notFound();
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'connector.update',
        workspaceId,
        targetType: 'connector',
        targetId: current.id,
        reason: ctx.reason,
        before: snapshot(current.name, current.type, { config: current.config, policyName: before.policyName }),
        after: snapshot(current.name, current.type, resolved),
        meta: ctx,
      });
      return { connector: updated, policyName: resolved.policyName };
    });
  }

  async delete(workspaceId: string, name: string, ctx: MutationContext): Promise<void> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    await this.dataSource.transaction(async (manager) => {
      const connectors = ConnectorsRepository.of(manager);
      const current = await connectors.findByNameForUpdate(workspaceId, name);
      if (!current) throw notFound();
      const before = await this.view(manager, current);
      await connectors.delete(workspaceId, { id: current.id });
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'connector.delete',
        workspaceId,
        targetType: 'connector',
        targetId: current.id,
        reason: ctx.reason,
        before: snapshot(current.name, current.type, { config: current.config, policyName: before.policyName }),
        after: null,
        meta: ctx,
      });
    });
  }

  /**
   * Checks a connector's config against its type, its policy and the secret refs its config
   * names, all at once: every problem comes back in one 400, each at its JSON Pointer.
   */
  private async resolve(manager: EntityManager, workspaceId: string, definition: ConnectorTypeDefinition, config: unknown, policyName: string): Promise<ResolvedConnector> {
    const validation = validateConnectorConfig(this.validator, definition, config, CONFIG_PATH);
    const problems = [...validation.errors];

    const policy = await PoliciesRepository.of(manager).findOne(workspaceId, { name: policyName });
    if (!policy) problems.push({ path: '/policy', message: `no policy named ${policyName} in this workspace` });

    const existing = await ConnectorsRepository.of(manager).existingSecretRefNames(workspaceId, validation.secretRefs.map((ref) => ref.name));
    for (const ref of validation.secretRefs) {
      if (!existing.has(ref.name)) problems.push({ path: ref.path, message: `no secret ref named ${ref.name} in this workspace` });
    }

    if (problems.length > 0 || !policy) throw invalid(problems);
    return {
      config: validation.config,
      policyId: policy.id,
      policyName: policy.name,
      secretRefs: Object.fromEntries(validation.secretRefs.map((ref) => [ref.path.slice(CONFIG_PATH.length), ref.name])),
    };
  }

  private async view(manager: EntityManager, connector: ConnectorEntity): Promise<ConnectorView> {
    const names = connector.policyId ? await PoliciesRepository.of(manager).namesByIds(connector.workspaceId, [connector.policyId]) : new Map<string, string>();
    return { connector, policyName: policyNameOf(connector, names) };
  }
}

/** A connector without a policy id runs under the workspace's `default` policy (see ConnectorEntity). */
function policyNameOf(connector: ConnectorEntity, names: Map<string, string>): string {
  return (connector.policyId ? names.get(connector.policyId) : undefined) ?? DEFAULT_POLICY.name;
}

function duplicate(name: string): DomainError {
  return new DomainError('CONFLICT', `A connector named ${name} already exists in this workspace`, { details: [{ path: '/name', message: 'is taken' }] });
}
