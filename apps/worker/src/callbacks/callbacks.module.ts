import { Module } from '@nestjs/common';
import { SecretsCoreModule } from '@orch/secrets';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { CallbackDelivery } from './callback-delivery.service';
import { CallbacksProcessor } from './callbacks.processor';
import { SignedPoster } from './signed-poster';
import { WorkspaceCallbackSecret } from './workspace-callback-secret';

/**
 * Signed product callbacks on the `callbacks` queue. Exports the signed POST and the workspace
 * callback secret, which the webhooks module reuses to forward inbox events.
 */
@Module({
  imports: [
    // ExecutionModule keeps its SecretResolver to itself; the callback secret is resolved the same way.
    SecretsCoreModule.forRootAsync({
      inject: [WORKER_CONFIG],
      useFactory: (config: WorkerConfig) => ({ masterKey: config.ORCH_MASTER_KEY, ...(config.ORCH_MASTER_KEYS_PREVIOUS ? { previousMasterKeys: config.ORCH_MASTER_KEYS_PREVIOUS } : {}) }),
    }),
  ],
  providers: [CallbackDelivery, CallbacksProcessor, SignedPoster, WorkspaceCallbackSecret],
  exports: [SignedPoster, WorkspaceCallbackSecret],
})
export class CallbacksModule {}
