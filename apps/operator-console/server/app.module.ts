import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@orch/platform';
import type { ConsoleConfig } from './config';
import { ConsoleImpersonationModule } from './impersonation/impersonation.module';
import { ProxyModule } from './proxy/proxy.module';
import { SessionModule } from './session/session.module';
import { UpstreamsModule } from './upstreams/upstreams.module';

@Module({})
export class AppModule {
  static forRoot(config: ConsoleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: 'operator-console', config }), UpstreamsModule, SessionModule, ConsoleImpersonationModule, ProxyModule],
    };
  }
}
