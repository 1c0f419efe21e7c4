import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { toPageResponse } from '../common/dto/page.dto';
import { toDlqFilter } from './dlq-selection';
import { DlqService } from './dlq.service';
import { DlqPurgeDto, DlqReplayDto } from './dto/dlq-action.dto';
import { DlqPageResponse, DlqPurgeResponse, DlqReplayResponse, toDeadLetteredJobResponse } from './dto/job.response';
import { DlqQueryDto } from './dto/jobs-query.dto';

@ApiTags('dlq')
@Controller('v1/workspaces/:workspaceId/dlq')
export class DlqController {
  constructor(private readonly dlq: DlqService) {}

  @Get()
  @Access('dlq.list')
  @ApiOkResponse({ type: DlqPageResponse, description: 'Dead-lettered jobs with their last error, most recently dead-lettered first' })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: DlqQueryDto, @CurrentPrincipal() principal: Principal): Promise<DlqPageResponse> {
    const filter = toDlqFilter({ connector: query.connector, operation: query.operation, error_code: query.error_code, after: query.dead_lettered_after, before: query.dead_lettered_before });
    return toPageResponse(await this.dlq.list(principal, workspaceId, filter, { limit: query.limit, cursor: query.cursor }), toDeadLetteredJobResponse);
  }

  @Post('replay')
  @HttpCode(200)
  @Access('dlq.replay')
  @ApiReason()
  @ApiOkResponse({ type: DlqReplayResponse })
  @ApiConflictResponse({ description: 'job_id names a job that is not dead_lettered' })
  async replay(@Param('workspaceId') workspaceId: string, @Body() body: DlqReplayDto, @Mutation() ctx: MutationContext): Promise<DlqReplayResponse> {
    return this.dlq.replay(workspaceId, body, ctx);
  }

  @Delete()
  @Access('dlq.purge')
  @ApiReason()
  @ApiOkResponse({ type: DlqPurgeResponse })
  @ApiConflictResponse({ description: 'job_id names a job that is not dead_lettered' })
  async purge(@Param('workspaceId') workspaceId: string, @Body() body: DlqPurgeDto, @Mutation() ctx: MutationContext): Promise<DlqPurgeResponse> {
    return this.dlq.purge(workspaceId, body, ctx);
  }
}
