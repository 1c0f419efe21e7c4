import { type DynamicModule, type InjectionToken, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MasterKeyring } from './master-keyring';
import { SecretResolver } from './secret-resolver';
import { SecretVault } from './secret-vault';

export interface SecretsCoreOptions {
  /** ORCH_MASTER_KEY */
  masterKey: string;
  /** ORCH_MASTER_KEYS_PREVIOUS */
  previousMasterKeys?: string;
}

const SECRETS_CORE_OPTIONS = Symbol('SECRETS_CORE_OPTIONS');

/** The keyring, vault and resolver of an app that reads or writes secrets (needs DataModule). */
@Module({})
export class SecretsCoreModule {
  static forRoot(options: SecretsCoreOptions): DynamicModule {
    return SecretsCoreModule.forRootAsync({ inject: [], useFactory: () => options });
  }

  static forRootAsync(options: { inject: InjectionToken[]; useFactory: (...deps: never[]) => SecretsCoreOptions }): DynamicModule {
    return {
      module: SecretsCoreModule,
      providers: [
        { provide: SECRETS_CORE_OPTIONS, inject: options.inject, useFactory: options.useFactory },
        { provide: MasterKeyring, useFactory: (o: SecretsCoreOptions) => MasterKeyring.fromEnv(o.masterKey, o.previousMasterKeys), inject: [SECRETS_CORE_OPTIONS] },
        { provide: SecretVault, useFactory: (dataSource: DataSource, keyring: MasterKeyring) => new SecretVault(dataSource, keyring), inject: [DataSource, MasterKeyring] },
        { provide: SecretResolver, useFactory: (dataSource: DataSource, vault: SecretVault) => new SecretResolver(dataSource, vault), inject: [DataSource, SecretVault] },
      ],
      exports: [MasterKeyring, SecretVault, SecretResolver],
    };
  }
}
