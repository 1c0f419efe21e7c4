/*
 * Re-wraps every vault data key under the active master key (values untouched):
 *   npm run secrets:rewrap
 * with DATABASE_URL, ORCH_MASTER_KEY (the new key) and ORCH_MASTER_KEYS_PREVIOUS (the old
 * ones, still needed to unwrap). Safe to run again; afterwards the old keys can be removed.
 */
import 'reflect-metadata';
import { IsUrl } from 'class-validator';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '@orch/data';
import { ConfigError, loadConfig } from '@orch/platform';
import { WithMasterKeys } from '../lib/master-key.config';
import { MasterKeyring } from '../lib/master-keyring';
import { rewrapAll } from '../lib/rewrap';

class RewrapDatabaseConfig {
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/orchestrator_dev';
}

class RewrapConfig extends WithMasterKeys(RewrapDatabaseConfig) {}

async function main(): Promise<number> {
  let config: RewrapConfig;
  try {
    config = loadConfig(RewrapConfig, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`secrets:rewrap: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const keyring = MasterKeyring.fromEnv(config.ORCH_MASTER_KEY, config.ORCH_MASTER_KEYS_PREVIOUS);
  const dataSource = await new DataSource(createDataSourceOptions({ url: config.DATABASE_URL, applicationName: 'orch-secrets-rewrap', poolSize: 2 })).initialize();
  try {
    const result = await rewrapAll(dataSource, keyring);
    process.stdout.write(`secrets:rewrap: ${result.rewrapped} data key(s) re-wrapped under master key ${result.activeKeyId}\n`);
    return 0;
  } catch (error) {
    // The message only: never a stack that could carry connection details.
    process.stderr.write(`secrets:rewrap failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
