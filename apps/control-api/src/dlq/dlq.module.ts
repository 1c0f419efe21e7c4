import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { ControlEventsController } from './control-events.controller';
import { ControlJobsController } from './control-jobs.controller';
import { ControlJobsService } from './control-jobs.service';
import { DlqController } from './dlq.controller';
import { DlqService } from './dlq.service';

/** A workspace's jobs, DLQ (list, replay, purge) and events seen from the control plane (issue 6). */
@Module({
  imports: [WorkspacesModule],
  controllers: [ControlJobsController, DlqController, ControlEventsController],
  providers: [ControlJobsService, DlqService],
})
export class DlqModule {}
