import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, Mutation, type MutationContext } from '@orch/auth';
import { ActivateBreakGlassRequest, BreakGlassActivationResponse, MAX_BREAK_GLASS_TTL_SECONDS } from './break-glass.dto';
import { BreakGlassService } from './break-glass.service';

@ApiTags('auth')
@Controller('v1/break-glass')
export class BreakGlassController {
  constructor(private readonly breakGlass: BreakGlassService) {}

  /** Turns the caller's BreakGlassAdmin role on for at most an hour; needs a reason. */
  @Post('activate')
  @Access('break-glass.activate')
  @ApiReason()
  @ApiCreatedResponse({ type: BreakGlassActivationResponse })
  activate(@Body() body: ActivateBreakGlassRequest, @Mutation() ctx: MutationContext): Promise<BreakGlassActivationResponse> {
    return this.breakGlass.activate(body.ttl_seconds ?? MAX_BREAK_GLASS_TTL_SECONDS, ctx);
  }
}
