import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, MAX_TOKEN_TTL_SECONDS, Mutation, type MutationContext } from '@orch/auth';
import { ImpersonationSessionResponse, StartedImpersonationResponse, StartImpersonationRequest, StopImpersonationRequest } from './dto/impersonation.dto';
import { ImpersonationService } from './impersonation.service';

@ApiTags('impersonation')
@Controller('v1/impersonation')
export class ImpersonationController {
  constructor(private readonly impersonation: ImpersonationService) {}

  /** Act as a workspace for at most 15 minutes, with a reason; start and stop are audited. */
  @Post()
  @Access('impersonation.start')
  @ApiReason()
  @ApiCreatedResponse({ type: StartedImpersonationResponse })
  start(@Body() body: StartImpersonationRequest, @Mutation() ctx: MutationContext): Promise<StartedImpersonationResponse> {
    return this.impersonation.start(body.workspace_id, body.ttl_seconds ?? MAX_TOKEN_TTL_SECONDS, ctx);
  }

  /** Ends the session: its token is refused from the next request on. */
  @Delete(':sessionId')
  @HttpCode(200)
  @Access('impersonation.stop')
  @ApiReason()
  @ApiOkResponse({ type: ImpersonationSessionResponse })
  stop(@Param('sessionId') sessionId: string, @Body() _body: StopImpersonationRequest, @Mutation() ctx: MutationContext): Promise<ImpersonationSessionResponse> {
    return this.impersonation.stop(sessionId, ctx);
  }
}
