import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { WebhookIngressConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: WebhookIngressConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: 'webhook-ingress', config }), DataModule.forRoot({ url: config.DATABASE_URL })],
    };
  }
}
