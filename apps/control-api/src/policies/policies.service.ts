import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { DEFAULT_POLICY, type Page, type PolicyEntity } from '@orch/data';
import { isUniqueViolation } from '../common/database-errors';
import { ConnectorsRepository } from '../connectors/connectors.repository';
import type { PageRequest } from '../workspaces/workspaces.service';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { CONNECTOR_POLICY_FK, POLICY_NAME_CONSTRAINT, PoliciesRepository } from './policies.repository';
import { defaultPolicyShape, effectivePolicy, mergePolicy, type PolicyPatch, type PolicyShape, policyProblems } from './policy-shape';

export interface CreatePolicyInput extends PolicyPatch {
  name: string;
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Policy not found');
}

/** What an audit row shows of a policy. */
function snapshot(name: string, policy: PolicyShape): Record<string, unknown> {
  return { name, ...policy };
}

function requireValid(policy: PolicyShape): void {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: problems });
}

@Injectable()
export class PoliciesService {
  private readonly policies: PoliciesRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
  ) {
    this.policies = PoliciesRepository.of(dataSource.manager);
  }

  /** Missing sections and fields come from the documented defaults (DEFAULT_POLICY). */
  async create(workspaceId: string, input: CreatePolicyInput, ctx: MutationContext): Promise<PolicyEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const { name, ...patch } = input;
    const shape = mergePolicy(defaultPolicyShape(), patch);
    requireValid(shape);
    if (await this.policies.findOne(workspaceId, { name })) throw duplicate(name);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const created = await PoliciesRepository.of(manager).insert(workspaceId, {
          name,
          timeout: shape.timeout,
          retry: shape.retry,
          circuitBreaker: shape.circuit_breaker,
          rateLimit: shape.rate_limit,
          degradation: shape.degradation,
        });
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'policy.create',
          workspaceId,
          targetType: 'policy',
          targetId: created.id,
          reason: ctx.reason,
          before: null,
          after: snapshot(name, shape),
          meta: ctx,
        });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error, POLICY_NAME_CONSTRAINT)) throw duplicate(name);
      throw error;
    }
  }

  async list(principal: Principal, workspaceId: string, page: PageRequest): Promise<Page<PolicyEntity>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    return this.policies.find(workspaceId, { limit: page.limit, cursor: page.cursor });
  }

  async get(principal: Principal, workspaceId: string, name: string): Promise<PolicyEntity> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const policy = await this.policies.findOne(workspaceId, { name });
    if (!policy) throw notFound();
    return policy;
  }

  /** Given fields replace the current ones; the merged policy is validated as a whole. */
  async update(workspaceId: string, name: string, patch: PolicyPatch, ctx: MutationContext): Promise<PolicyEntity> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    return this.dataSource.transaction(async (manager) => {
      const policies = PoliciesRepository.of(manager);
      const current = await policies.findByNameForUpdate(workspaceId, name);
      if (!current) throw notFound();
      const before = effectivePolicy(current);
      const after = mergePolicy(before, patch);
      requireValid(after);
      await policies.update(workspaceId, { id: current.id }, {
        timeout: after.timeout,
        retry: after.retry,
        circuitBreaker: after.circuit_breaker,
        rateLimit: after.rate_limit,
        degradation: after.degradation,
      });
      const updated = await policies.findOne(workspaceId, { id: current.id });
      if (!updated) throw notFound();
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'policy.update',
        workspaceId,
        targetType: 'policy',
        targetId: current.id,
        reason: ctx.reason,
        before: snapshot(name, before),
        after: snapshot(name, after),
        meta: ctx,
      });
      return updated;
    });
  }

  /** Refused (409) for the workspace's `default` policy and for a policy a connector still uses. */
  async delete(workspaceId: string, name: string, ctx: MutationContext): Promise<void> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    try {
      await this.dataSource.transaction(async (manager) => {
        const policies = PoliciesRepository.of(manager);
        const current = await policies.findByNameForUpdate(workspaceId, name);
        if (!current) throw notFound();
        if (current.name === DEFAULT_POLICY.name) throw new DomainError('CONFLICT', 'The default policy of a workspace cannot be deleted');
        const users = await ConnectorsRepository.of(manager).count(workspaceId, { policyId: current.id });
        if (users > 0) throw inUse(name, users);
        await policies.delete(workspaceId, { id: current.id });
        await this.audit.record(manager, {
          principal: ctx.principal,
          action: 'policy.delete',
          workspaceId,
          targetType: 'policy',
          targetId: current.id,
          reason: ctx.reason,
          before: snapshot(name, effectivePolicy(current)),
          after: null,
          meta: ctx,
        });
      });
    } catch (error) {
      // A connector created between the count and the delete: the foreign key refuses.
      if (isForeignKeyViolation(error, CONNECTOR_POLICY_FK)) throw inUse(name);
      throw error;
    }
  }
}

function duplicate(name: string): DomainError {
  return new DomainError('CONFLICT', `A policy named ${name} already exists in this workspace`, { details: [{ path: '/name', message: 'is taken' }] });
}

function inUse(name: string, connectors?: number): DomainError {
  const who = connectors === undefined ? 'connectors' : `${connectors} connector(s)`;
  return new DomainError('CONFLICT', `Policy ${name} is used by ${who}; point them at another policy first`);
}

function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === '23503' && driverError.constraint === constraint;
}
