import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { ControlApiConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: ControlApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: 'control-api', config }), DataModule.forRoot({ url: config.DATABASE_URL })],
    };
  }
}
