import { Body, Controller, Delete, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiNoContentResponse, ApiNotFoundResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '@orch/auth';
import { APP_CONFIG } from '@orch/platform';
import { type ConsoleConfig, cookieSecure } from '../config';
import { clearCookieOnUnauthenticated } from '../session/clear-cookie-on-401';
import { callerOf } from '../session/control-api-client';
import { CSRF_HEADER, sessionIdFromCookieHeader } from '../session/session-cookie';
import { ConsoleImpersonationResponse, StartConsoleImpersonationRequest, StopConsoleImpersonationRequest } from './dto/impersonation.dto';
import { type ImpersonationCall, ConsoleImpersonationService } from './impersonation.service';

function reasonHeader(request: FastifyRequest): string | undefined {
  const value = request.headers['x-reason'];
  return Array.isArray(value) ? value[0] : value;
}

/** Start and stop impersonating a workspace from the console (session cookie + CSRF; control-api decides and audits). */
@ApiTags('bff')
@Controller('api/impersonation')
export class ConsoleImpersonationController {
  constructor(
    private readonly impersonation: ConsoleImpersonationService,
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('bff.impersonation.start')
  @Header('cache-control', 'no-store')
  @ApiHeader({ name: CSRF_HEADER, required: true, description: 'The csrf_token of the session' })
  @ApiCreatedResponse({ type: ConsoleImpersonationResponse, description: 'The tokens stay in the BFF; /api/exec/* now acts as the workspace.' })
  @ApiUnauthorizedResponse({ description: 'No console session' })
  @ApiForbiddenResponse({ description: 'x-csrf-token missing or wrong, or control-api refuses the role' })
  @ApiConflictResponse({ description: 'An impersonation is already running' })
  async start(@Body() body: StartConsoleImpersonationRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConsoleImpersonationResponse> {
    const reason = body.reason ?? reasonHeader(request);
    return this.guarded(reply, () =>
      this.impersonation.start(this.callOf(request), { workspace_id: body.workspace_id, ...(body.ttl_seconds === undefined ? {} : { ttl_seconds: body.ttl_seconds }), ...(reason === undefined ? {} : { reason }) }),
    );
  }

  @Delete()
  @HttpCode(204)
  @Access('bff.impersonation.stop')
  @Header('cache-control', 'no-store')
  @ApiHeader({ name: CSRF_HEADER, required: true, description: 'The csrf_token of the session' })
  @ApiNoContentResponse({ description: 'Stopped in control-api (audited) and forgotten by the BFF' })
  @ApiNotFoundResponse({ description: 'No impersonation is running' })
  async stop(@Body() body: StopConsoleImpersonationRequest | undefined, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.guarded(reply, () => this.impersonation.stop(this.callOf(request), body?.reason ?? reasonHeader(request)));
  }

  private callOf(request: FastifyRequest): ImpersonationCall {
    return { sessionId: sessionIdFromCookieHeader(request.headers.cookie), csrfHeader: request.headers[CSRF_HEADER], caller: callerOf(request) };
  }

  private async guarded<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      clearCookieOnUnauthenticated(error, reply, cookieSecure(this.config));
      throw error;
    }
  }
}
