import { randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { SecretValueEntity } from '@orch/data';
import { EnvelopeError, openSecret, type RandomBytes, sealSecret } from './envelope';
import type { MasterKeyring } from './master-keyring';

/** Largest value a vault secret may hold, in UTF-8 bytes. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

export interface StoredVersion {
  name: string;
  version: number;
  createdAt: Date;
}

export interface RevealedSecret {
  version: number;
  value: string;
}

export type VaultReadFailure = 'no_version' | 'cannot_decrypt';

/** A vault read that failed: which secret, which version and why, never a value. */
export class VaultReadError extends Error {
  constructor(
    readonly reason: VaultReadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'VaultReadError';
  }
}

/**
 * The encrypted, versioned store of `vault://` values (secret_values). Each put adds a
 * version; reads decrypt one. Nothing here logs, and errors never carry a value.
 */
export class SecretVault {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: MasterKeyring,
    private readonly random: RandomBytes = randomBytes,
  ) {}

  /** Stores the next version inside the caller's transaction (so the audit row commits with it). */
  async put(manager: EntityManager, workspaceId: string, secretName: string, value: string): Promise<StoredVersion> {
    // Versions of one secret are numbered one after another: serialize concurrent puts.
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`secret:${workspaceId}:${secretName}`]);
    const rows: Array<{ latest: number | null }> = await manager.query('SELECT max(version) AS latest FROM secret_values WHERE workspace_id = $1 AND secret_name = $2', [workspaceId, secretName]);
    const version = (rows[0]?.latest ?? 0) + 1;
    const envelope = sealSecret(value, { workspaceId, secretName, version }, this.keyring, this.random);
    const repository = manager.getRepository(SecretValueEntity);
    const row = repository.create({ workspaceId, secretName, version, ...envelope });
    await repository.insert(row);
    return { name: secretName, version, createdAt: row.createdAt };
  }

  /** The latest version number, or null when the secret has none. */
  async latestVersion(workspaceId: string, secretName: string): Promise<number | null> {
    const rows: Array<{ latest: number | null }> = await this.dataSource.query('SELECT max(version) AS latest FROM secret_values WHERE workspace_id = $1 AND secret_name = $2', [
      workspaceId,
      secretName,
    ]);
    return rows[0]?.latest ?? null;
  }

  /** Decrypts the latest version, or the one given. */
  async reveal(workspaceId: string, secretName: string, version: number | null = null): Promise<RevealedSecret> {
    const repository = this.dataSource.getRepository(SecretValueEntity);
    const row =
      version === null
        ? await repository.findOne({ where: { workspaceId, secretName }, order: { version: 'DESC' } })
        : await repository.findOne({ where: { workspaceId, secretName, version } });
    if (!row) throw new VaultReadError('no_version', version === null ? `vault secret "${secretName}" has no version` : `vault secret "${secretName}" has no version ${version}`);
    try {
      return { version: row.version, value: openSecret(row, { workspaceId, secretName, version: row.version }, this.keyring) };
    } catch (error) {
      if (error instanceof EnvelopeError) throw new VaultReadError('cannot_decrypt', `cannot decrypt version ${row.version} of vault secret "${secretName}": ${error.message}`);
      throw error;
    }
  }
}
