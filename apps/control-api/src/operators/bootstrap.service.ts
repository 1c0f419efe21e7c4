import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, hashPassword, hashSecret, type Principal, type RequestMeta, secretMatches } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { type OperatorResponse, toOperatorResponse } from './dto/operator.response';
import { OperatorsRepository } from './operators.repository';

/** Any 64-bit key, the same in every replica: two replicas booting at once create one admin. */
const BOOTSTRAP_LOCK = 7_301_966_455_101;
const BOOTSTRAP_PRINCIPAL: Principal = { kind: 'system', name: 'bootstrap' };

/**
 * The first OperatorAdmin, created only while no operator exists: from the environment at
 * start-up, or through POST /v1/auth/bootstrap with ORCH_BOOTSTRAP_TOKEN (orchctl bootstrap).
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @Inject(CONTROL_API_CONFIG) private readonly config: ControlApiConfig,
    private readonly dataSource: DataSource,
    private readonly operators: OperatorsRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.ORCH_BOOTSTRAP_ADMIN_EMAIL;
    const password = this.config.ORCH_BOOTSTRAP_ADMIN_PASSWORD;
    if (!email || !password) return;
    const created = await this.createFirstAdmin(email, password, 'ORCH_BOOTSTRAP_ADMIN_EMAIL at start-up', { requestId: null, ip: null });
    if (created) this.logger.log({ operator_id: created.id }, 'Created the first OperatorAdmin from the environment');
  }

  /** 404 without ORCH_BOOTSTRAP_TOKEN, 401 on a wrong token, 409 once any operator exists. */
  async bootstrapWithToken(presentedToken: string | undefined, email: string, password: string, reason: string | undefined, meta: RequestMeta): Promise<OperatorResponse> {
    const configured = this.config.ORCH_BOOTSTRAP_TOKEN;
    if (!configured) throw new DomainError('NOT_FOUND', 'Resource not found');
    // Compares sha256 digests, so neither the content nor the length leaks through timing.
    if (!presentedToken || !secretMatches(presentedToken, hashSecret(configured))) throw new DomainError('UNAUTHENTICATED', 'Missing or wrong X-Bootstrap-Token');
    const created = await this.createFirstAdmin(email, password, reason?.trim() || 'orchctl bootstrap', meta);
    if (!created) throw new DomainError('CONFLICT', 'Operators already exist: bootstrap is only for the first OperatorAdmin');
    return created;
  }

  /** Null when an operator already exists. Serialised by an advisory lock across replicas. */
  private async createFirstAdmin(email: string, password: string, reason: string, meta: RequestMeta): Promise<OperatorResponse | null> {
    if (await this.operators.exists()) return null;
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await this.operators.exists(manager)) return null;
      const operator = await this.operators.insert(manager, { email: email.trim(), roles: ['OperatorAdmin'], status: 'active', passwordHash, displayName: null });
      const after = toOperatorResponse(operator);
      await this.audit.record(manager, { principal: BOOTSTRAP_PRINCIPAL, action: 'operator.bootstrap', targetType: 'operator', targetId: operator.id, reason, after, meta });
      return after;
    });
  }
}
