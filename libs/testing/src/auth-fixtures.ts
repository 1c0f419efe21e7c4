import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_AUDIENCE, EXEC_AUDIENCE, hashPassword, type Scope, TokenIssuer } from '@orch/auth';
import { OperatorEntity, type OperatorRole, WorkspaceEntity } from '@orch/data';

/**
 * Factories for e2e tests of control-api (the app holding the signing keys). They write rows
 * and mint tokens the way the real endpoints do, so a test can start from "an operator with
 * role X exists" without replaying the whole bootstrap through HTTP.
 */
export interface TestOperator {
  id: string;
  email: string;
  password: string;
  roles: OperatorRole[];
  token: string;
}

export async function createTestOperator(app: INestApplicationContext, roles: OperatorRole[], overrides: { email?: string; password?: string } = {}): Promise<TestOperator> {
  const email = overrides.email ?? `op-${randomBytes(4).toString('hex')}@example.test`;
  const password = overrides.password ?? `pw-${randomBytes(12).toString('hex')}`;
  const repository = app.get(DataSource).getRepository(OperatorEntity);
  const operator = await repository.save(repository.create({ email, roles, passwordHash: await hashPassword(password), status: 'active' }));
  const token = await operatorToken(app, operator.id, roles);
  return { id: operator.id, email, password, roles, token };
}

export async function operatorToken(app: INestApplicationContext, operatorId: string, roles: OperatorRole[]): Promise<string> {
  const issued = await app.get(TokenIssuer).issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: operatorId, roles }, 900);
  return issued.token;
}

export async function createTestWorkspace(app: INestApplicationContext, name = `ws-${randomBytes(4).toString('hex')}-dev`): Promise<WorkspaceEntity> {
  const repository = app.get(DataSource).getRepository(WorkspaceEntity);
  return repository.save(repository.create({ name }));
}

/** A service token for a workspace, as /v1/oauth/token would mint it (sub: a fresh identity id unless given). */
export async function serviceToken(app: INestApplicationContext, workspaceId: string, scopes: Scope[], options: { audience?: 'exec' | 'control'; identityId?: string } = {}): Promise<string> {
  const issued = await app.get(TokenIssuer).issue(
    { typ: 'service', aud: options.audience === 'control' ? CONTROL_AUDIENCE : EXEC_AUDIENCE, sub: options.identityId ?? randomUUID(), tid: workspaceId, scope: scopes.join(' ') },
    900,
  );
  return issued.token;
}
