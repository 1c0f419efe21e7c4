import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { toPageResponse } from '../common/dto/page.dto';
import { ControlJobsService } from './control-jobs.service';
import { JobDetailResponse, JobPageResponse, toJobDetailResponse, toJobResponse } from './dto/job.response';
import { JobsQueryDto } from './dto/jobs-query.dto';

@ApiTags('jobs')
@Controller('v1/workspaces/:workspaceId/jobs')
export class ControlJobsController {
  constructor(private readonly jobs: ControlJobsService) {}

  @Get()
  @Access('control-jobs.list')
  @ApiOkResponse({ type: JobPageResponse, description: 'Newest first' })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: JobsQueryDto, @CurrentPrincipal() principal: Principal): Promise<JobPageResponse> {
    const filter = {
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.connector !== undefined ? { connector: query.connector } : {}),
      ...(query.created_after !== undefined ? { createdAfter: new Date(query.created_after) } : {}),
      ...(query.created_before !== undefined ? { createdBefore: inclusiveUpperBound(query.created_before) } : {}),
    };
    const page = await this.jobs.list(principal, workspaceId, filter, { limit: query.limit, cursor: query.cursor });
    return toPageResponse(page, toJobResponse);
  }

  @Get(':jobId')
  @Access('control-jobs.get')
  @ApiOkResponse({ type: JobDetailResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('jobId') jobId: string, @CurrentPrincipal() principal: Principal): Promise<JobDetailResponse> {
    const { job, runs } = await this.jobs.get(principal, workspaceId, jobId);
    return toJobDetailResponse(job, runs);
  }
}

/**
 * `created_before` is inclusive, as on exec-api's GET /v1/jobs; the repository's bound is
 * exclusive. created_at is stored to the millisecond (timestamptz(3)), so "< t + 1 ms" is "≤ t".
 */
function inclusiveUpperBound(iso: string): Date {
  return new Date(new Date(iso).getTime() + 1);
}
