import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { TokenAudience } from '@orch/data';
import { AuditService } from './audit/audit.service';
import { AuthGuard } from './auth.guard';
import { AUTH_OPTIONS, type AuthMode, TOKEN_VERIFIER } from './auth.options';
import { KeyRing, loadKeyRing } from './keys/key-ring';
import { SessionStore } from './sessions/session-store';
import { TokenIssuer } from './tokens/token-issuer';
import { createLocalVerifier, createRemoteVerifier } from './tokens/token-verifier';

interface CommonOptions {
  mode: AuthMode;
  issuer: string;
  audience: TokenAudience;
}

export interface IssuerAuthOptions extends CommonOptions {
  keysDir: string;
  activeKid?: string;
  generateKeys: boolean;
}

export interface RemoteAuthOptions extends CommonOptions {
  jwksUrl: string;
}

const shared: Provider[] = [SessionStore, AuditService, { provide: APP_GUARD, useClass: AuthGuard }];

/**
 * Authentication and access for an app: the global guard, live session checks, the audit
 * log. control-api holds the signing keys (forIssuer); every other app verifies through its
 * JWKS (forVerifier).
 */
@Module({})
export class AuthModule {
  static forIssuer(options: IssuerAuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        ...shared,
        { provide: AUTH_OPTIONS, useValue: { mode: options.mode } },
        { provide: KeyRing, useFactory: () => loadKeyRing({ dir: options.keysDir, activeKid: options.activeKid, generateIfEmpty: options.generateKeys }) },
        { provide: TokenIssuer, useFactory: (keys: KeyRing) => new TokenIssuer(keys, options.issuer), inject: [KeyRing] },
        { provide: TOKEN_VERIFIER, useFactory: (keys: KeyRing) => createLocalVerifier(keys, options), inject: [KeyRing] },
      ],
      exports: [KeyRing, TokenIssuer, TOKEN_VERIFIER, SessionStore, AuditService],
    };
  }

  static forVerifier(options: RemoteAuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [...shared, { provide: AUTH_OPTIONS, useValue: { mode: options.mode } }, { provide: TOKEN_VERIFIER, useFactory: () => createRemoteVerifier(options.jwksUrl, options) }],
      exports: [TOKEN_VERIFIER, SessionStore, AuditService],
    };
  }
}
