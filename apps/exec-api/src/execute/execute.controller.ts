import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { ExecuteRequestDto, ExecuteResponseDto } from './execute.dto';
import { ExecuteService } from './execute.service';

@ApiTags('execute')
@Controller('v1')
export class ExecuteController {
  constructor(private readonly execute: ExecuteService) {}

  /**
   * Runs one connector operation synchronously through the connector's policy: quota → rate
   * limit → breaker → attempts with timeouts and retries. With `Idempotency-Key`, a repeat
   * replays the first answer (DESIGN §4, docs/05_idempotency.md).
   */
  @Post('execute')
  @Access('exec.execute')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 printable ASCII characters; kept 24 h' })
  @ApiOkResponse({ type: ExecuteResponseDto })
  async run(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ExecuteRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (principal.kind !== 'service' && principal.kind !== 'impersonation') throw new DomainError('FORBIDDEN', 'Only service tokens call the execution plane');
    // headersDistinct keeps a repeated header as two values (req.headers would join them with ", ").
    const idempotencyKey = request.raw.headersDistinct['idempotency-key'];
    const answer = await this.execute.execute({ workspaceId: principal.workspaceId, requestId: String(request.id), body, idempotencyKey });
    await reply.status(answer.status).headers(answer.headers).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}
