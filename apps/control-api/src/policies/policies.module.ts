import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';

/** Reliability policies of a workspace (timeouts, retry, circuit breaker, rate limit, degradation). */
@Module({
  imports: [WorkspacesModule],
  controllers: [PoliciesController],
  providers: [PoliciesService],
})
export class PoliciesModule {}
