import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkspaceEntity } from '@orch/data';
import { SecretResolver } from '@orch/secrets';

/** Why a workspace's messages cannot be signed: a stable code and a message that names no value. */
export interface SecretProblem {
  code: 'CALLBACK_SECRET_MISSING' | 'CALLBACK_SECRET_UNAVAILABLE';
  message: string;
}

/**
 * The workspace's callback secret (`workspaces.callback_secret_ref`, resolved through the vault),
 * which signs job callbacks and forwarded webhooks alike. Resolved per message, so a rotation
 * applies at once.
 */
@Injectable()
export class WorkspaceCallbackSecret {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretResolver,
  ) {}

  async resolve(workspaceId: string): Promise<string | SecretProblem> {
    const workspace = await this.dataSource.getRepository(WorkspaceEntity).findOne({ where: { id: workspaceId }, select: { id: true, callbackSecretRef: true } });
    if (!workspace?.callbackSecretRef) return { code: 'CALLBACK_SECRET_MISSING', message: 'the workspace has no callback secret (callback_secret_ref); messages cannot be signed' };
    try {
      return await this.secrets.resolve(workspaceId, workspace.callbackSecretRef);
    } catch (error) {
      // The resolver's message names the ref and the reason, never a value.
      return { code: 'CALLBACK_SECRET_UNAVAILABLE', message: error instanceof Error ? error.message : 'the callback secret did not resolve' };
    }
  }
}
