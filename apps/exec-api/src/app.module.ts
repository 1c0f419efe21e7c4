import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { ExecApiConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: ExecApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: 'exec-api', config }), DataModule.forRoot({ url: config.DATABASE_URL })],
    };
  }
}
