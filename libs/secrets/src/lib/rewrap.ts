import { randomBytes } from 'node:crypto';
import { DataSource, Not } from 'typeorm';
import { createDataSourceOptions, SecretValueEntity } from '@orch/data';
import { EnvelopeError, type RandomBytes, rewrapEnvelope, unwrapDataKey } from './envelope';
import type { MasterKeyring } from './master-keyring';

export interface RewrapResult {
  /** Rows whose data key is now wrapped by the active master key. */
  rewrapped: number;
  activeKeyId: string;
}

const BATCH = 200;

/**
 * Re-wraps every data key not yet under the active master key (ciphertexts untouched), in
 * batches of one transaction each, so it can be stopped and run again. Afterwards the
 * previous master keys can be retired.
 */
export async function rewrapAll(dataSource: DataSource, keyring: MasterKeyring, random: RandomBytes = randomBytes): Promise<RewrapResult> {
  let rewrapped = 0;
  for (;;) {
    const done = await dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(SecretValueEntity);
      const rows = await repository.find({
        select: { id: true, workspaceId: true, secretName: true, version: true, wrappedDataKey: true, masterKeyId: true },
        where: { masterKeyId: Not(keyring.activeId) },
        order: { id: 'ASC' },
        take: BATCH,
        lock: { mode: 'pessimistic_write' },
      });
      for (const row of rows) {
        await repository.update({ id: row.id }, rewrapRow(row, keyring, random));
      }
      return rows.length;
    });
    rewrapped += done;
    if (done < BATCH) return { rewrapped, activeKeyId: keyring.activeId };
  }
}

function rewrapRow(row: SecretValueEntity, keyring: MasterKeyring, random: RandomBytes): Pick<SecretValueEntity, 'wrappedDataKey' | 'masterKeyId'> {
  try {
    return rewrapEnvelope(row, { workspaceId: row.workspaceId, secretName: row.secretName, version: row.version }, keyring, random);
  } catch (error) {
    if (error instanceof EnvelopeError) throw new Error(`cannot re-wrap version ${row.version} of vault secret "${row.secretName}" (workspace ${row.workspaceId}): ${error.message}`);
    throw error;
  }
}

/**
 * Fails closed when the configured master keys cannot open what the database holds: for
 * every master key id found in secret_values, one data key must unwrap. With no stored
 * secret yet any well-formed key is accepted (there is nothing to check it against).
 */
export async function verifyMasterKeys(dataSource: DataSource, keyring: MasterKeyring): Promise<{ checkedKeyIds: string[] }> {
  const samples: Array<{ id: string }> = await dataSource.query('SELECT DISTINCT ON (master_key_id) id FROM secret_values ORDER BY master_key_id, id');
  const repository = dataSource.getRepository(SecretValueEntity);
  const checked: string[] = [];
  for (const sample of samples) {
    const row = await repository.findOneByOrFail({ id: sample.id });
    try {
      unwrapDataKey(row.wrappedDataKey, row.masterKeyId, keyring, { workspaceId: row.workspaceId, secretName: row.secretName, version: row.version }).fill(0);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        const hint = row.masterKeyId === keyring.activeId ? 'ORCH_MASTER_KEY is not the key these secrets were stored with' : 'add that key to ORCH_MASTER_KEYS_PREVIOUS (or run secrets:rewrap with it first)';
        throw new Error(`ORCH_MASTER_KEY check failed on the stored vault secrets: ${error.message}; ${hint}`);
      }
      throw error;
    }
    checked.push(row.masterKeyId);
  }
  return { checkedKeyIds: checked };
}

/** verifyMasterKeys on a short-lived connection of its own, for an app's preflight (before the app is built). */
export async function preflightMasterKeys(databaseUrl: string, keyring: MasterKeyring): Promise<{ checkedKeyIds: string[]; skipped?: 'no_schema' }> {
  const dataSource = new DataSource(createDataSourceOptions({ url: databaseUrl, applicationName: 'orch-master-key-check', poolSize: 1 }));
  await dataSource.initialize();
  try {
    const tables: Array<{ present: boolean }> = await dataSource.query(`SELECT to_regclass('secret_values') IS NOT NULL AS present`);
    // Not migrated yet: nothing can be stored, so nothing to check (the app's own checks report the schema).
    if (!tables[0]?.present) return { checkedKeyIds: [], skipped: 'no_schema' };
    return await verifyMasterKeys(dataSource, keyring);
  } finally {
    await dataSource.destroy();
  }
}
