import { IsOptional, IsString, Validate } from 'class-validator';
import { Secret } from '@orch/platform';
import { IsMasterKeySpec, IsMasterKeySpecList } from './master-keyring';

// A TypeScript mixin's base must take `...args: any[]` (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ConfigClass = new (...args: any[]) => object;

/**
 * Adds the vault's master-key variables to an app's config class, so every process that reads
 * or writes vault secrets (control-api, exec-api, worker, secrets:rewrap) validates them alike.
 */
export function WithMasterKeys<TBase extends ConfigClass>(Base: TBase) {
  class MasterKeyConfig extends Base {
    /** `<id>:<base64 of 32 bytes>`: wraps the data key of every new vault secret version. Required: no key, no start. */
    @Secret()
    @IsString()
    @Validate(IsMasterKeySpec)
    ORCH_MASTER_KEY!: string;

    /** Comma-separated `<id>:<base64>` keys still accepted for unwrapping, until `npm run secrets:rewrap` has moved every envelope to ORCH_MASTER_KEY. */
    @Secret()
    @IsOptional()
    @IsString()
    @Validate(IsMasterKeySpecList)
    ORCH_MASTER_KEYS_PREVIOUS?: string;
  }
  return MasterKeyConfig;
}
