import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { EventPageResponseDto, ListEventsQueryDto, StreamEventsQueryDto, toEventFilters, toEventPageResponse } from './dto/events.dto';
import { EventsService } from './events.service';

/** The execution plane serves workspace-bound tokens (service, or an operator's impersonation); their workspace scopes everything. */
function serviceWorkspace(principal: Principal): string {
  if (principal.kind !== 'service' && principal.kind !== 'impersonation') throw new DomainError('FORBIDDEN', 'Only service tokens call the execution plane');
  return principal.workspaceId;
}

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** The token's workspace's events, ascending by id, after the exclusive `after` cursor. */
  @Get()
  @Access('events.list')
  @ApiOkResponse({ type: EventPageResponseDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListEventsQueryDto): Promise<EventPageResponseDto> {
    const workspaceId = serviceWorkspace(principal);
    const page = await this.events.list(workspaceId, { ...toEventFilters(query), ...(query.after === undefined ? {} : { after: query.after }), ...(query.limit === undefined ? {} : { limit: query.limit }) });
    return toEventPageResponse(page);
  }

  /**
   * Server-Sent Events: the backlog after Last-Event-ID (or `after`), then live events, same
   * filters as the list; `: keep-alive` comments every SSE_KEEPALIVE_MS.
   */
  @Get('stream')
  @Access('events.stream')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (wins over ?after=)' })
  @ApiOkResponse({ description: 'text/event-stream: `id: <cursor>`, `event: <type>`, `data: <event JSON>`' })
  async stream(@CurrentPrincipal() principal: Principal, @Query() query: StreamEventsQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const workspaceId = serviceWorkspace(principal);
    await this.events.stream({ workspaceId, filters: toEventFilters(query), lastEventId: request.headers['last-event-id'], after: query.after, reply });
  }
}
