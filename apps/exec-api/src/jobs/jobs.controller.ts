import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { CreateJobRequestDto, ListJobsQueryDto } from './dto/job.requests';
import { JobDetailResponseDto, JobPageResponseDto } from './dto/job.responses';
import { JobsService } from './jobs.service';

/** The execution plane serves workspace-bound tokens (service, or an operator's impersonation); their workspace scopes everything. */
function workspaceOf(principal: Principal): string {
  if (principal.kind !== 'service' && principal.kind !== 'impersonation') throw new DomainError('FORBIDDEN', 'Only service tokens call the execution plane');
  return principal.workspaceId;
}

@ApiTags('jobs')
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /**
   * Accepts an async execution: validated like /v1/execute, stored as a `queued` job, then put on
   * the queue. With `Idempotency-Key`, a repeat replays the first 202 (one job per key).
   */
  @Post()
  @Access('jobs.create')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 printable ASCII characters; kept 24 h' })
  @ApiHeader({ name: 'traceparent', required: false, description: 'W3C trace context, carried to the worker' })
  @ApiAcceptedResponse({ type: JobDetailResponseDto })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateJobRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const workspaceId = workspaceOf(principal);
    const headers = request.raw.headersDistinct;
    const answer = await this.jobs.create({
      workspaceId,
      body,
      // headersDistinct keeps a repeated header as two values (req.headers would join them with ", ").
      idempotencyKey: headers['idempotency-key'],
      traceparent: headers['traceparent'],
      tracestate: headers['tracestate'],
    });
    await reply.status(answer.status).headers(answer.headers).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }

  @Get()
  @Access('jobs.list')
  @ApiOkResponse({ type: JobPageResponseDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListJobsQueryDto): Promise<JobPageResponseDto> {
    return this.jobs.list(workspaceOf(principal), query);
  }

  @Get(':id')
  @Access('jobs.get')
  @ApiOkResponse({ type: JobDetailResponseDto })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<JobDetailResponseDto> {
    return this.jobs.get(workspaceOf(principal), id);
  }

  /** 200 with the cancelled job when it was queued; 202 when it is running (the worker stops at its next safe point). */
  @Post(':id/cancel')
  @Access('jobs.cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: JobDetailResponseDto, description: 'The queued job is cancelled' })
  @ApiAcceptedResponse({ type: JobDetailResponseDto, description: 'The running job is flagged cancel_requested' })
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobDetailResponseDto> {
    const answer = await this.jobs.cancel(workspaceOf(principal), id);
    void reply.status(answer.status);
    return answer.job;
  }
}
