import { Module } from '@nestjs/common';
import { CONTROL_AUDIENCE, createRemoteVerifier, TOKEN_VERIFIER } from '@orch/auth';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';
import { ControlApiClient } from './control-api-client';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SessionStore } from './session.store';

/** The operator session (POST/GET/DELETE /api/session), verified through control-api's JWKS. */
@Module({
  controllers: [SessionController],
  providers: [
    {
      provide: TOKEN_VERIFIER,
      useFactory: (config: ConsoleConfig) => createRemoteVerifier(config.ORCH_JWKS_URL, { issuer: config.ORCH_JWT_ISSUER, audience: CONTROL_AUDIENCE }),
      inject: [APP_CONFIG],
    },
    ControlApiClient,
    SessionStore,
    SessionService,
  ],
  exports: [TOKEN_VERIFIER, SessionService, ControlApiClient],
})
export class SessionModule {}
