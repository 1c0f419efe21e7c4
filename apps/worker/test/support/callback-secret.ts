import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { WorkspaceEntity } from '@orch/data';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createVaultSecret, type ExecStack } from '../../../exec-api/test/support/exec-stack';

/**
 * A new workspace whose callback secret (it signs job callbacks and forwarded webhooks) is a fresh
 * `whsec_` value in the vault, named by `callback_secret_ref`. Returns the workspace id and the secret.
 */
export async function workspaceWithCallbackSecret(stack: ExecStack, dataSource: DataSource): Promise<{ workspaceId: string; secret: string }> {
  const { ws } = await stack.workspace();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  await createVaultSecret(stack, ws.id, 'callback-secret', secret);
  await dataSource.getRepository(WorkspaceEntity).update({ id: ws.id }, { callbackSecretRef: 'callback-secret' });
  return { workspaceId: ws.id, secret };
}
