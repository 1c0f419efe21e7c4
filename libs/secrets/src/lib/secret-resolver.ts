import type { DataSource } from 'typeorm';
import { SecretRefEntity } from '@orch/data';
import { isReservedEnvName, parseSecretRef } from './secret-ref';
import { type SecretVault, VaultReadError } from './secret-vault';

export type ResolutionFailure = 'ref_not_found' | 'invalid_ref' | 'env_not_allowed' | 'env_missing' | 'no_version' | 'cannot_decrypt';

/** A ref that did not resolve: names the ref and the reason, never a value. */
export class SecretResolutionError extends Error {
  constructor(
    readonly refName: string,
    readonly reason: ResolutionFailure,
    detail: string,
  ) {
    super(`secret ref "${refName}" did not resolve: ${detail}`);
    this.name = 'SecretResolutionError';
  }
}

export interface ResolvedSecret {
  value: string;
  /** The vault version read; null for env:// refs. */
  version: number | null;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Turns a workspace's secret ref name into its value at the moment of use: `env://NAME` from
 * the process environment, `vault://name[#version]` decrypted from the vault. Callers use the
 * value and drop it; it is never returned by an API, logged or stored elsewhere.
 */
export class SecretResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: SecretVault,
    private readonly env: Env = process.env,
  ) {}

  async resolve(workspaceId: string, refName: string): Promise<string> {
    return (await this.resolveWithVersion(workspaceId, refName)).value;
  }

  async resolveWithVersion(workspaceId: string, refName: string): Promise<ResolvedSecret> {
    const row = await this.dataSource.getRepository(SecretRefEntity).findOne({ where: { workspaceId, name: refName } });
    if (!row) throw new SecretResolutionError(refName, 'ref_not_found', 'no secret ref of that name in this workspace');
    return this.resolveRef(workspaceId, refName, row.ref);
  }

  /** Resolves a ref string (e.g. from a bundle being checked) under the name it is known by. */
  async resolveRef(workspaceId: string, refName: string, ref: string): Promise<ResolvedSecret> {
    const parsed = parseSecretRef(ref);
    if (!parsed) throw new SecretResolutionError(refName, 'invalid_ref', 'the ref is not env://NAME or vault://name');
    if (parsed.kind === 'env') {
      if (isReservedEnvName(parsed.name)) throw new SecretResolutionError(refName, 'env_not_allowed', `environment variable ${parsed.name} is reserved for the orchestrator itself`);
      const value = this.env[parsed.name];
      if (value === undefined || value === '') throw new SecretResolutionError(refName, 'env_missing', `environment variable ${parsed.name} is not set`);
      return { value, version: null };
    }
    try {
      return await this.vault.reveal(workspaceId, parsed.name, parsed.version);
    } catch (error) {
      if (error instanceof VaultReadError) throw new SecretResolutionError(refName, error.reason, error.message);
      throw error;
    }
  }
}
