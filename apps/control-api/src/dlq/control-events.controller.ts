import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { ControlJobsService } from './control-jobs.service';
import { EventListResponse, toEventListResponse } from './dto/job.response';
import { EventsQueryDto, toEventQuery } from './dto/jobs-query.dto';

@ApiTags('events')
@Controller('v1/workspaces/:workspaceId/events')
export class ControlEventsController {
  constructor(private readonly jobs: ControlJobsService) {}

  @Get()
  @Access('control-events.list')
  @ApiOkResponse({ type: EventListResponse, description: 'Oldest first after ?after=' })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: EventsQueryDto, @CurrentPrincipal() principal: Principal): Promise<EventListResponse> {
    return toEventListResponse(await this.jobs.events(principal, workspaceId, toEventQuery(query)));
  }
}
