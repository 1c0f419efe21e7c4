import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Access, CurrentPrincipal, CurrentRequestMeta, type Principal, type RequestMeta } from '@orch/auth';
import { BootstrapService } from '../bootstrap.service';
import { AcceptInviteRequest, BootstrapRequest, LoginRequest, RefreshRequest } from '../dto/auth.requests';
import { MeResponse, SessionResponse } from '../dto/auth.responses';
import { OperatorResponse } from '../dto/operator.response';
import { OperatorsService } from '../operators.service';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly operators: OperatorsService,
    private readonly bootstrap: BootstrapService,
  ) {}

  /** Email + password → a short-lived operator token and a one-time refresh token. Throttled. */
  @Post('login')
  @HttpCode(200)
  @Access('auth.login')
  @ApiOkResponse({ type: SessionResponse })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password, or an account that cannot sign in (one answer for all)' })
  @ApiTooManyRequestsResponse({ description: 'Too many failures for the account (5) or the client address (20) in 15 minutes; see Retry-After' })
  login(@Body() body: LoginRequest, @CurrentRequestMeta() meta: RequestMeta): Promise<SessionResponse> {
    return this.auth.login(body.email, body.password, meta.ip);
  }

  /** Exchanges a refresh token for a new pair; the old one is spent. */
  @Post('refresh')
  @HttpCode(200)
  @Access('auth.refresh')
  @ApiOkResponse({ type: SessionResponse })
  refresh(@Body() body: RefreshRequest): Promise<SessionResponse> {
    return this.auth.refresh(body.refresh_token);
  }

  /** Sets the password of an invited operator (one-time invite token). */
  @Post('accept-invite')
  @HttpCode(200)
  @Access('auth.accept-invite')
  @ApiOkResponse({ type: OperatorResponse })
  acceptInvite(@Body() body: AcceptInviteRequest, @CurrentRequestMeta() meta: RequestMeta): Promise<OperatorResponse> {
    return this.operators.acceptInvite(body.invite_token, body.password, meta);
  }

  /** Creates the first OperatorAdmin (orchctl bootstrap); only with ORCH_BOOTSTRAP_TOKEN and while no operator exists. */
  @Post('bootstrap')
  @Access('auth.bootstrap')
  @ApiHeader({ name: 'X-Bootstrap-Token', required: true, description: 'The value of ORCH_BOOTSTRAP_TOKEN' })
  @ApiCreatedResponse({ type: OperatorResponse })
  bootstrapFirstAdmin(@Body() body: BootstrapRequest, @Headers('x-bootstrap-token') token: string | undefined, @CurrentRequestMeta() meta: RequestMeta): Promise<OperatorResponse> {
    return this.bootstrap.bootstrapWithToken(token, body.email, body.password, body.reason, meta);
  }

  /** The caller's own profile, and whether break-glass is active for them. */
  @Get('me')
  @Access('auth.me')
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    return this.auth.me(principal);
  }
}
