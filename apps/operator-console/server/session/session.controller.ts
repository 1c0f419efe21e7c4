import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '@orch/auth';
import { APP_CONFIG } from '@orch/platform';
import { type ConsoleConfig, cookieSecure } from '../config';
import { callerOf } from './control-api-client';
import { CreateSessionRequest, SessionCreatedResponse, SessionStateResponse } from './dto/session.dto';
import { clearedSessionCookie, CSRF_HEADER, sessionCookie, sessionIdFromCookieHeader } from './session-cookie';
import { SessionService } from './session.service';

/**
 * The operator session: the BFF authenticates the browser by its own cookie (these routes are
 * public to the token guard) and holds control-api's tokens server-side.
 */
@ApiTags('bff')
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** Logs in through control-api; sets the httpOnly session cookie. */
  @Post()
  @HttpCode(200)
  @Access('bff.session.create')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: SessionCreatedResponse, description: 'Sets `orch_session` (HttpOnly, SameSite=Strict, Path=/).' })
  @ApiUnauthorizedResponse({ description: "control-api's answer to a wrong email or password, passed through" })
  @ApiTooManyRequestsResponse({ description: "control-api's login throttle, passed through with Retry-After" })
  async create(@Body() body: CreateSessionRequest, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionCreatedResponse> {
    const { sessionId, body: answer } = await this.sessions.create(body.email, body.password, callerOf(request));
    void reply.header('set-cookie', sessionCookie(sessionId, { maxAgeSeconds: this.config.CONSOLE_SESSION_TTL_SECONDS, secure: cookieSecure(this.config) }));
    return answer;
  }

  /** The signed-in operator, the CSRF token and the token expiry; refreshes the token when due. */
  @Get()
  @Access('bff.session.read')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: SessionStateResponse })
  @ApiUnauthorizedResponse({ description: 'No session, an unknown one, or one that could not be verified or refreshed (it is deleted)' })
  async read(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionStateResponse> {
    try {
      return await this.sessions.read(sessionIdFromCookieHeader(request.headers.cookie), callerOf(request));
    } catch (error) {
      this.clearCookieOnUnauthenticated(error, reply);
      throw error;
    }
  }

  /** Logout: deletes the session and clears the cookie. */
  @Delete()
  @HttpCode(204)
  @Access('bff.session.delete')
  @Header('cache-control', 'no-store')
  @ApiHeader({ name: CSRF_HEADER, required: true, description: 'The csrf_token of the session' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ description: 'x-csrf-token missing or not the session’s' })
  async delete(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    try {
      await this.sessions.delete(sessionIdFromCookieHeader(request.headers.cookie), request.headers[CSRF_HEADER], callerOf(request));
    } catch (error) {
      this.clearCookieOnUnauthenticated(error, reply);
      throw error;
    }
    void reply.header('set-cookie', clearedSessionCookie(cookieSecure(this.config)));
  }

  private clearCookieOnUnauthenticated(error: unknown, reply: FastifyReply): void {
    if ((error as { code?: string } | undefined)?.code === 'UNAUTHENTICATED') void reply.header('set-cookie', clearedSessionCookie(cookieSecure(this.config)));
  }
}
