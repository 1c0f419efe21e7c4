import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, EXEC_AUDIENCE } from '@orch/auth';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { ExecApiConfig } from './config';
import { WhoamiController } from './whoami/whoami.controller';

@Module({})
export class AppModule {
  static forRoot(config: ExecApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'exec-api', config }), DataModule.forRoot({ url: config.DATABASE_URL }),
        AuthModule.forVerifier({ mode: config.AUTH_MODE, issuer: config.ORCH_JWT_ISSUER, audience: EXEC_AUDIENCE, jwksUrl: config.ORCH_JWKS_URL }),
      ],
      controllers: [WhoamiController],
    };
  }
}
